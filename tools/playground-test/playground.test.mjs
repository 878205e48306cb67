// Drives the gateway's /playground in a real browser (Debian's Chromium through playwright-core):
// type the key, attach an image with its max_partition, ask, see the answer stream in with its
// TTFT and tokens/s; ask about a video and see the key frames chosen for it; read text with OCR
// and see the boxes drawn; run OCR as an async job and see it finish in the jobs table. Screenshots of each step go to $OVIS_SCREENSHOTS.
// Started by standalone's PlaygroundBrowserIT, which runs the suite and passes everything by env.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) { throw new Error(`${name} is not set`); }
  return value;
};
const base = env('OVIS_BASE_URL');
const key = env('OVIS_API_KEY');
const chatImage = env('OVIS_CHAT_IMAGE');
const ocrImage = env('OVIS_OCR_IMAGE');
const video = env('OVIS_VIDEO');
const shots = env('OVIS_SCREENSHOTS');
const executablePath = env('CHROMIUM', '/usr/bin/chromium');
const STEP = 60_000;

mkdirSync(shots, { recursive: true });
const log = (...args) => console.log('[playground-test]', ...args);
const check = (ok, message) => { if (!ok) { throw new Error(message); } };

const browser = await chromium.launch({ executablePath, headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
let page;
try {
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') { problems.push('console: ' + m.text()); } });

  log('index links to the playground');
  await page.goto(base + '/', { timeout: STEP });
  await page.click('a[href="/playground"]');
  await page.waitForURL(/\/playground$/, { timeout: STEP });

  log('key and model');
  await page.fill('#api-key', key);
  await page.dispatchEvent('#api-key', 'change');
  await page.waitForFunction(() => document.querySelectorAll('#model option').length > 0, null, { timeout: STEP });

  log('chat with an image, streamed');
  await page.setInputFiles('#files', chatImage);
  // empty until set: a request without max_partition gets the deployment's default
  check(await page.inputValue('#attachments .max-partition') === '', 'max_partition is preset, so the deployment default never applies');
  await page.fill('#attachments .max-partition', '4');
  await page.dispatchEvent('#attachments .max-partition', 'change');
  await page.fill('#question', 'Describe the image.');
  await page.fill('#max-tokens', '24');
  const sent = page.waitForRequest((r) => r.url().endsWith('/v1/chat/completions') && r.method() === 'POST', { timeout: STEP });
  await page.click('#send');
  const image = JSON.parse((await sent).postData()).messages.at(-1).content.find((p) => p.type === 'image_url');
  check(image && image.image_url.max_partition === 4, 'the chat did not send the max_partition typed: ' + JSON.stringify(image?.image_url?.max_partition));
  const answer = page.locator('.turn.assistant').last();
  await page.waitForFunction(() => {
    const a = [...document.querySelectorAll('.turn.assistant')].pop();
    return a && (a.dataset.state === 'done' || a.dataset.state === 'failed');
  }, null, { timeout: 3 * STEP });
  await page.screenshot({ path: join(shots, '1-chat-image.png'), fullPage: true });
  check(await answer.getAttribute('data-state') === 'done', 'chat failed: ' + await answer.innerText());
  const text = await answer.locator('.text').innerText();
  check(text.trim().length > 0, 'the answer is empty');
  const stats = await answer.locator('.stats').innerText();
  check(/TTFT \d+\.\d+ s/.test(stats) && /tokens\/s/.test(stats), 'no TTFT and tokens/s under the answer: ' + stats);
  check(/trace [0-9a-f]{32}/.test(stats), 'no trace id under the answer: ' + stats);
  check(await page.locator('.turn.user img.thumb').count() === 1, 'the question does not show its image');
  log('answer:', JSON.stringify(text.slice(0, 80)), '|', stats);

  log('chat about a video, key frames shown');
  await page.setInputFiles('#files', video);
  check(await page.locator('#attachments li[data-kind="video"]').count() === 1, 'the video is not attached');
  await page.fill('#question', 'What happens in the video?');
  await page.fill('#max-tokens', '8');
  await page.click('#send');
  await page.waitForFunction(() => {
    const answers = document.querySelectorAll('.turn.assistant');
    const a = answers[answers.length - 1];
    return answers.length === 2 && (a.dataset.state === 'done' || a.dataset.state === 'failed');
  }, null, { timeout: 3 * STEP });
  const videoAnswer = page.locator('.turn.assistant').last();
  check(await videoAnswer.getAttribute('data-state') === 'done', 'video chat failed: ' + await videoAnswer.innerText());
  await page.waitForFunction(() => [...document.querySelectorAll('#keyframe-list img')].some((img) => img.complete && img.naturalWidth > 0)
      || document.getElementById('keyframe-list').textContent.startsWith('key frames:'), null, { timeout: 2 * STEP });
  const frames = await page.locator('#keyframe-list figure').count();
  await page.screenshot({ path: join(shots, '2-video-keyframes.png'), fullPage: true });
  check(frames > 0, 'no key frames shown: ' + await page.locator('#keyframe-list').innerText());
  log('key frames shown:', frames);

  log('OCR with boxes');
  await page.setInputFiles('#ocr-file', ocrImage);
  await page.click('#ocr-run');
  await page.waitForFunction(() => Number(document.getElementById('ocr-canvas').dataset.boxes || 0) > 0
      || document.getElementById('ocr-text').textContent.startsWith('OCR:'), null, { timeout: 2 * STEP });
  await page.screenshot({ path: join(shots, '3-ocr-boxes.png'), fullPage: true });
  const read = await page.locator('#ocr-text').innerText();
  check(!read.startsWith('OCR:'), read);
  check(/OVIS/i.test(read), 'OCR did not read the word: ' + read);

  log('OCR as an async job, followed to the end');
  await page.evaluate(() => { document.getElementById('ocr-canvas').dataset.boxes = '0'; });
  await page.click('#ocr-async');
  await page.waitForFunction(() => [...document.querySelectorAll('#jobs tbody tr')]
      .some((tr) => tr.dataset.status === 'SUCCEEDED' && tr.cells[1].textContent === 'OCR'), null, { timeout: 2 * STEP });
  await page.waitForFunction(() => Number(document.getElementById('ocr-canvas').dataset.boxes || 0) > 0, null, { timeout: STEP });
  await page.screenshot({ path: join(shots, '4-async-job.png'), fullPage: true });

  check(problems.length === 0, 'the page reported errors:\n' + problems.join('\n'));
  log('passed');
} catch (e) {
  if (page) { await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {}); }
  console.error('[playground-test] FAILED:', e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
