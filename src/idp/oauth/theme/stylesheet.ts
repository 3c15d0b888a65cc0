/**
 * The hosted pages' one stylesheet, drawn from a look's colours (every value passed css-values.ts's
 * grammar, so none can end a rule or the `<style>` element). Phone-first: at 375 px the panel fills the
 * width, inputs are full width, and buttons, inputs, the checkbox's label and links are at least 44 px
 * tall (WCAG 2.5.5 target size). Its SHA-256 goes into the page's Content-Security-Policy.
 */
import { createHash } from 'node:crypto';
import type { Colours } from './variables.js';

export function stylesheet(c: Colours): string {
  return `*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,sans-serif;font-size:1rem;line-height:1.5;background:${c.pageBackgroundColor};color:${c.fontColor};margin:0}
main{max-width:24rem;margin:8vh auto;background:${c.panelBackgroundColor};padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
main>:last-child{margin-bottom:0}
@media (max-width:30rem){main{margin:0;max-width:none;min-height:100vh;border-radius:0;box-shadow:none;padding:1.5rem 1rem}}
.brand{margin:0 0 1rem;font-weight:600;overflow-wrap:anywhere}
.brand p{margin:0}.brand img{display:block;max-width:100%;max-height:4rem;height:auto}
h1{font-size:1.4rem;margin:0 0 .25rem}p.app{margin:0 0 1.5rem;overflow-wrap:anywhere}
button,input{font-family:inherit}
label{display:block;font-weight:600;margin:1rem 0 .3rem}
input[type=text],input[type=password],input[type=email]{width:100%;min-height:44px;padding:.6rem;border:1px solid ${c.inputTextColor};border-radius:${c.borderRadius};font-size:1rem;background:${c.inputBackgroundColor};color:${c.inputTextColor}}
input[aria-invalid=true]{border:2px solid ${c.errorFontColor}}
button{margin-top:1.5rem;width:100%;min-height:44px;padding:.7rem;border:0;border-radius:${c.borderRadius};background:${c.primaryButtonColor};color:${c.primaryButtonTextColor};font-size:1rem;font-weight:600;cursor:pointer}
button:hover,button:focus{background:${c.primaryButtonFocusColor};color:${c.primaryButtonTextFocusColor}}
button:focus,input:focus,a:focus{outline:3px solid ${c.fontColor};outline-offset:2px}
a{color:${c.linkTextColor};display:inline-block;min-height:44px;padding:.6rem 0}a:hover,a:focus{color:${c.linkTextFocusColor}}
label.check{display:flex;gap:.5rem;align-items:center;font-weight:400;min-height:44px;margin:.5rem 0 0}
label.check input{width:1.25rem;height:1.25rem;margin:0}
.error{background:${c.alertBackgroundColor};color:${c.alertFontColor};border:1px solid ${c.errorFontColor};border-radius:${c.borderRadius};padding:.6rem;margin:0 0 1rem}
.notice{border:1px solid ${c.fontColor};border-radius:${c.borderRadius};padding:.6rem;margin:0 0 1rem}
button.secondary{margin-top:0;background:transparent;color:${c.linkTextColor};border:2px solid ${c.linkTextColor}}`;
}

/** The CSP source (`'sha256-…'`) that allows exactly `css` as an inline stylesheet. */
export function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
}
