// A 50 MB request body through a Streamed RequestBody callout keeps memory flat: chunks flow through the
// stream one at a time and nothing accumulates (client, channel or the SDK server in this same process).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { bodyReply } from '../../src/sdk/index.js';
import { calloutIR, requestHeaders, requestInfo, startCallout, type RunningCallout } from './support.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const TOTAL = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;

describe('memory', () => {
  let callout: RunningCallout;
  const client = new CalloutClient();
  before(async () => {
    // The callout rewrites every chunk (same length), so each chunk crosses the wire both ways.
    callout = await startCallout({
      onRequestBody: (b) => bodyReply({ body: Buffer.from(b.body).reverse() }),
    });
  });
  after(async () => {
    client.close();
    await callout.stop();
  });

  it('streams a 50 MB body through a Streamed RequestBody callout with flat heap and RSS', async () => {
    const s = client
      .extension(calloutIR({ port: callout.plaintext, events: ['RequestHeaders', 'RequestBody'] }))
      .open(requestInfo());
    const chunk = Buffer.alloc(CHUNK, 0x61);
    chunk.write('head', 0);
    let passed = 0;
    let samples = 0;
    let peakHeap = 0;
    let peakRss = 0;
    try {
      await s.requestHeaders(requestHeaders('/upload'), false);
      // Warm up channel, codecs and JIT before taking the baseline.
      for (let i = 0; i < 32; i++)
        passed += (await s.requestBody(chunk, false)).chunks.reduce((n, c) => n + c.length, 0);
      gc();
      const base = process.memoryUsage();
      for (let sent = passed; sent < TOTAL; sent += CHUNK) {
        const r = await s.requestBody(chunk, sent + CHUNK >= TOTAL);
        for (const c of r.chunks) {
          passed += c.length;
          assert.equal(
            c[c.length - 1],
            0x68,
            'chunk came back rewritten (reversed: ends with the h of "head")',
          );
        }
        if (++samples % 64 === 0) {
          gc();
          const m = process.memoryUsage();
          peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
          peakRss = Math.max(peakRss, m.rss - base.rss);
        }
      }
    } finally {
      s.close();
    }
    assert.equal(passed, TOTAL);
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `50 MB through the callout: peak heap growth ${mb(peakHeap)} MB, peak RSS growth ${mb(peakRss)} MB`,
    );
    // Flat = growth bounded by a few chunks' worth of buffers, far below the body size.
    assert.ok(peakHeap < 8 * 1024 * 1024, `heap grew ${mb(peakHeap)} MB`);
    assert.ok(peakRss < 32 * 1024 * 1024, `RSS grew ${mb(peakRss)} MB`);
  });
});
