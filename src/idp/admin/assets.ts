/**
 * The console's only stylesheet and script, served from /admin/assets (nothing from a CDN). The script is
 * progressive: copy buttons, tabs with arrow keys, and showing only the chosen application's roles. Every
 * page works without it.
 */
export const ADMIN_CSS = `
:root{--fg:#1d2433;--muted:#5a6372;--line:#d5dae1;--bg:#f6f7f9;--card:#fff;--accent:#0b5cad;--danger:#b42318;--ok:#146c2e;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
*{box-sizing:border-box}body{margin:0;line-height:1.45;font-size:16px}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,[tabindex]:focus-visible,summary:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}.skip:focus{left:.5rem;z-index:10}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;background:#14213d;color:#fff;padding:.6rem 1rem}
.top a{color:#fff}.brand{font-weight:700;text-decoration:none;font-size:1.1rem}
.top nav ul{display:flex;flex-wrap:wrap;gap:.25rem .9rem;list-style:none;margin:0;padding:0}
.top nav a{text-decoration:none;padding:.2rem 0;display:inline-block}.top nav a[aria-current=page]{border-bottom:2px solid #f5a623}
.logout{margin-left:auto;display:flex;align-items:center;gap:.4rem;font-size:.9rem}.who{opacity:.85;overflow-wrap:anywhere}
main{max-width:72rem;margin:0 auto;padding:1rem}main:focus{outline:none}
h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.15rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:1rem;margin:0 0 1rem}.card.narrow{max-width:30rem;margin:2rem auto}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0 0 1rem}
.field{margin:0 0 .9rem}.field>label{display:inline-block;font-weight:600;margin-bottom:.25rem}.field>input,.field>select,.field>textarea{display:block}
.field input[type=text],.field input[type=email],.field input[type=password],.field input[type=number],.field input[type=url],.field input[type=search],select,textarea{width:100%;max-width:40rem;padding:.5rem;border:1px solid #8a94a6;border-radius:4px;font:inherit;background:#fff}
textarea.mono,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
.hint{color:var(--muted);margin:.1rem 0 .3rem;font-size:.9rem}.error{color:var(--danger);font-weight:600;margin:.1rem 0 .3rem}
.invalid input,.invalid select,.invalid textarea{border-color:var(--danger);border-width:2px}.req{color:var(--danger)}
.switch{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}.switch>label{display:inline;margin:0;flex:1 1 0;min-width:0}.switch .hint{flex-basis:100%}
.switch input{appearance:none;width:2.6rem;height:1.5rem;border-radius:1rem;background:#9aa3b2;position:relative;cursor:pointer;margin:0;flex:none}
.switch input::after{content:"";position:absolute;top:.2rem;left:.2rem;width:1.1rem;height:1.1rem;border-radius:50%;background:#fff;transition:left .15s}
.switch input:checked{background:var(--ok)}.switch input:checked::after{left:1.3rem}.switch input:disabled{opacity:.5;cursor:not-allowed}
button,.button{font:inherit;padding:.45rem .9rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}button.danger{background:var(--danger);border-color:var(--danger)}
button.link{background:none;border:none;color:inherit;text-decoration:underline;padding:0}
form.inline{display:inline}svg.icon{vertical-align:-2px;margin-right:.3rem}svg.view-icon{color:var(--ok)}
.errors{border:2px solid var(--danger);background:#fff5f4;padding:.5rem 1rem;border-radius:6px;margin-bottom:1rem}.errors h2{margin:.3rem 0;font-size:1rem}
.confirm{border-left:4px solid var(--danger)}
.flash{border-left:4px solid var(--ok);background:#eefaf1;padding:.6rem 1rem;border-radius:4px}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;background:var(--card)}
caption{text-align:left;font-weight:600;padding:.3rem 0}th,td{border-bottom:1px solid var(--line);padding:.5rem;text-align:left;vertical-align:top}
td.id,code{overflow-wrap:anywhere}td .inline{margin-right:.3rem}
dl.props{display:grid;grid-template-columns:minmax(8rem,14rem) 1fr;gap:.4rem 1rem;margin:0}dl.props dt{font-weight:600}dl.props dd{margin:0;overflow-wrap:anywhere}
.copyable{margin:0 0 1rem}.copy-head{display:flex;align-items:center;gap:.5rem;margin-bottom:.25rem}.copy-label{font-weight:600}
.copyable pre,.copyable code{display:block;background:#0f172a;color:#e2e8f0;padding:.6rem;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:0;max-width:100%}
button.copy{padding:.15rem .6rem;font-size:.85rem;background:#fff;color:var(--accent)}
[role=tablist]{display:flex;flex-wrap:wrap;gap:.25rem;border-bottom:1px solid var(--line);margin-bottom:1rem}
[role=tab]{background:#fff;color:var(--fg);border:1px solid var(--line);border-bottom:none;border-radius:4px 4px 0 0}[role=tab][aria-selected=true]{background:var(--accent);color:#fff}
.tabs-js .tabpanel[hidden]{display:none}.tabs-nojs [role=tablist]{display:none}
fieldset{min-width:0;border:1px solid var(--line);border-radius:6px;margin:0 0 1rem;padding:.5rem 1rem}legend{font-weight:600;padding:0 .3rem}
.grid td,.grid th{text-align:center}.grid td:first-child,.grid th:first-child{text-align:left}
.secret{font-family:ui-monospace,monospace}.badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.8rem;background:#e6e9ef}.badge.off{background:#fde2e1;color:var(--danger)}.badge.on{background:#e3f4e8;color:var(--ok)}
.checks{display:flex;flex-wrap:wrap;gap:.3rem 1rem}.checks label{font-weight:400;display:inline-flex;gap:.35rem;align-items:center}
@media (max-width:600px){main{padding:.6rem}dl.props{grid-template-columns:1fr}dl.props dd{margin-bottom:.4rem}.logout{margin-left:0}
 table.stack thead{display:none}table.stack tr{display:block;border-bottom:2px solid var(--line);padding:.3rem 0}table.stack td{display:block;border:none;padding:.2rem .3rem}
 table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
`;

export const ADMIN_JS = `
(function(){
'use strict';
function copy(id, button){
  var el=document.getElementById(id); if(!el) return;
  var text=el.textContent||'';
  var done=function(){var old=button.textContent;button.textContent='Copied';setTimeout(function(){button.textContent=old;},1500);};
  if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(text).then(done,function(){fallback(el,text);done();});}
  else{fallback(el,text);done();}
}
function fallback(el,text){var t=document.createElement('textarea');t.value=text;document.body.appendChild(t);t.select();try{document.execCommand('copy');}catch(e){}document.body.removeChild(t);}
document.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('button[data-copy]');if(b){copy(b.getAttribute('data-copy'),b);}
  var a=e.target.closest&&e.target.closest('.errors a[href^="#"]');if(a){var t=document.getElementById(a.getAttribute('href').slice(1));var r=t&&t.closest('.tabs');if(r&&r.show){r.show(t);}if(t){e.preventDefault();t.focus();}}});
function tabs(root){
  var list=root.querySelector('[role=tablist]'); if(!list) return;
  var buttons=Array.prototype.slice.call(list.querySelectorAll('[role=tab]'));
  root.classList.remove('tabs-nojs'); root.classList.add('tabs-js');
  function select(i,focus){buttons.forEach(function(b,j){var on=i===j;b.setAttribute('aria-selected',on?'true':'false');b.tabIndex=on?0:-1;var p=document.getElementById(b.getAttribute('aria-controls'));if(p){p.hidden=!on;}});if(focus){buttons[i].focus();}}
  buttons.forEach(function(b,i){
    b.addEventListener('click',function(){select(i,false);});
    b.addEventListener('keydown',function(e){var n=buttons.length,k=e.key;
      if(k==='ArrowRight'){select((i+1)%n,true);e.preventDefault();}else if(k==='ArrowLeft'){select((i-1+n)%n,true);e.preventDefault();}
      else if(k==='Home'){select(0,true);e.preventDefault();}else if(k==='End'){select(n-1,true);e.preventDefault();}});
  });
  var start=0;buttons.forEach(function(b,i){var p=document.getElementById(b.getAttribute('aria-controls'));if('#'+b.getAttribute('aria-controls')===location.hash||(p&&p.querySelector('[aria-invalid=true]'))){start=i;}});
  select(start,false);
  root.show=function(el){buttons.forEach(function(b,i){var p=document.getElementById(b.getAttribute('aria-controls'));if(p&&p.contains(el)){select(i,false);}});};
}
function roles(){
  var sel=document.querySelector('select[data-roles-for]'); if(!sel) return;
  var update=function(){document.querySelectorAll('fieldset[data-app]').forEach(function(f){f.hidden=f.getAttribute('data-app')!==sel.value;});};
  sel.addEventListener('change',update); update();
}
document.addEventListener('DOMContentLoaded',function(){
  document.querySelectorAll('.tabs').forEach(tabs); roles();
  var errors=document.querySelector('.errors'); if(errors){errors.focus();}
});
})();
`;
