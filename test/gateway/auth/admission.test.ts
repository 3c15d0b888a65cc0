/**
 * The admission sketch (TinyLFU): sightings counted per tail hash (doorkeeper, then 4-bit counters),
 * saturating, halved with the doorkeeper emptied after a sample of 10 × max_entries sightings, and a fixed
 * size whatever is recorded. The policy-level rules (what is cached) are in token-cache.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrequencySketch } from '../../../src/gateway/auth/admission.js';

/** Distinct 32-bit hashes, as tailHash gives (signed). */
const hashOf = (i: number): number => Math.imul(i + 1, 0x9e3779b1) | 0;

test('sightings are counted per hash: the first by the doorkeeper, the next ones by the counters, saturating at 16', () => {
  const sketch = new FrequencySketch(1000);
  const a = hashOf(1);
  const b = hashOf(2);
  assert.equal(sketch.frequency(a), 0);
  for (let n = 1; n <= 16; n++) {
    sketch.record(a);
    assert.equal(sketch.frequency(a), n, `after ${n} sightings`);
  }
  for (let n = 0; n < 10; n++) sketch.record(a);
  assert.equal(sketch.frequency(a), 16, 'a 4-bit counter saturates (15) beyond the doorkeeper\'s 1');
  sketch.record(b);
  assert.equal(sketch.frequency(b), 1, 'another hash has its own count');
  assert.equal(sketch.frequency(hashOf(3)), 0);
  sketch.clear();
  assert.equal(sketch.frequency(a), 0, 'clear forgets every sighting');
  assert.equal(sketch.frequency(b), 0);
});

test('frequencies age: after 10 × max_entries sightings every counter is halved and the doorkeeper emptied', () => {
  const sketch = new FrequencySketch(100);
  assert.equal(sketch.sampleSize, 1000);
  const hot = hashOf(0);
  const once = hashOf(1);
  for (let n = 0; n < 13; n++) sketch.record(hot); // doorkeeper + 12 counted
  sketch.record(once);
  assert.equal(sketch.frequency(hot), 13);
  assert.equal(sketch.frequency(once), 1);
  let i = 2;
  for (let recorded = 14; recorded < 999; recorded++) sketch.record(hashOf(i++));
  assert.equal(sketch.frequency(hot), 13, 'one sighting short of the sample: not aged yet');
  sketch.record(hashOf(i++));
  assert.equal(sketch.frequency(hot), 6, '12 counted → 6, and the doorkeeper\'s 1 is gone');
  assert.equal(sketch.frequency(once), 0, 'a token seen once is forgotten');
  sketch.record(hot);
  assert.equal(sketch.frequency(hot), 7, 'counting starts again in the doorkeeper');
});

test('a long scan of one-off hashes does not make unseen hashes look seen (the doorkeeper is emptied every sample)', () => {
  const sketch = new FrequencySketch(10_000);
  for (let i = 0; i < 5 * sketch.sampleSize; i++) sketch.record(hashOf(i));
  // just before the next aging the doorkeeper holds the most; a hash never recorded should still read 0 mostly
  for (let i = 0; i < sketch.sampleSize - 1; i++) sketch.record(hashOf(10_000_000 + i));
  let looksSeen = 0;
  for (let i = 0; i < 10_000; i++) if (sketch.frequency(hashOf(50_000_000 + i)) > 0) looksSeen++;
  assert.ok(looksSeen < 1_500, `${looksSeen} of 10,000 unseen hashes read as seen (doorkeeper false positives, ~10 % expected)`);
});

test('the sketch has a fixed size: 4 bytes per slot (2 × max_entries rounded up to a power of two, 2^10 to 2^20)', () => {
  assert.equal(new FrequencySketch(1).byteLength, 4 * 1024);
  assert.equal(new FrequencySketch(10_000).byteLength, 4 * 32_768, 'the default: 128 KiB, as the second-sighting filter it replaced');
  assert.equal(new FrequencySketch(10_000_000).byteLength, 4 * 1_048_576, 'capped at 4 MiB');
  assert.equal(new FrequencySketch(10_000_000).sampleSize, 5 * 1_048_576, 'the sample is capped with it');
  const sketch = new FrequencySketch(2_000);
  const bytes = sketch.byteLength;
  for (let i = 0; i < 200_000; i++) sketch.record(hashOf(i % 50_000));
  assert.equal(sketch.byteLength, bytes);
});
