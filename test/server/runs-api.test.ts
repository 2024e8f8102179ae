// The dashboard API: run listing and details, pictures by validated name, SSE tailing, starting trainings.
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, DEFAULT_LIMITS } from '../../src/server/app.js';
import type { HistoryRecord, RunMetrics } from '../../src/run/schema.js';
import { fixtureConfig } from '../helpers/run-folders.js';
import { readEvents } from '../helpers/sse.js';

const start = (step: string, epochs: number): HistoryRecord => ({
  type: 'start', time: '2026-11-30T00:00:00.000Z', step, epochs, stepsPerEpoch: 5, batchSize: 128, engine: 'tfjs-wasm', initialEpoch: 0,
  optimizer: 'SGD (learningRate 0.01)', loss: 'categoricalCrossentropy', lr: [{ x: 0, y: 0.01 }, { x: 1, y: 0.01 }], zoom: 1, xTitle: 'epochs',
});
const batch = (epoch: number, step: number): HistoryRecord => ({
  type: 'batch', epoch, step, globalStep: epoch * 5 + step, loss: 2 / (1 + step), accuracy: 0.1 * step, lr: 0.01,
});
const epochEnd = (epoch: number): HistoryRecord => ({
  type: 'epoch', epoch, loss: 0.5, accuracy: 0.9, val_loss: 0.4, val_accuracy: 0.91, lr: 0.01, seconds: 1.5,
});
const end: HistoryRecord = { type: 'end', time: '2026-11-30T00:01:00.000Z', status: 'completed' };
const lines = (records: HistoryRecord[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

const metrics: RunMetrics = {
  step: '01-softmax', dataset: 'mnist', test_accuracy: 0.91, test_loss: 0.33, errors: 900, test_count: 10_000, epochs: 1, steps: 5,
  seconds: 3, images_per_second: 1000, engine: 'tfjs-wasm', status: 'completed',
};
const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

/** A finished run folder with one picture, a non-picture file and a report. */
async function writeDoneRun(done: string): Promise<void> {
  await mkdir(join(done, 'pictures'), { recursive: true });
  await writeFile(join(done, 'config.json'), JSON.stringify(await fixtureConfig('01-softmax')));
  await writeFile(join(done, 'history.jsonl'), lines([start('01-softmax', 1), batch(0, 0), epochEnd(0), end]));
  await writeFile(join(done, 'metrics.json'), JSON.stringify(metrics));
  await writeFile(join(done, 'pictures', 'curves.png'), PNG_BYTES);
  await writeFile(join(done, 'pictures', 'notes.txt'), 'not a picture');
  await writeFile(join(done, 'report.html'), '<h1>report</h1>');
}

let runsDir: string;
let app: FastifyInstance;
let url: string;

/** A fake `mnist-lab` for POST /api/runs: writes a run folder line by line like the CLI (and argv.json, its arguments), or fails. */
const fakeCli = (config: object) => `
const fs = require('node:fs');
let [, command, preset, outFlag, out, ...rest] = process.argv;
// \`lab --out DIR …\` trains its one step, 01-softmax, into DIR/01-softmax.
if (command === 'lab') [preset, out, rest] = ['01-softmax', process.argv[3] + '/01-softmax', process.argv.slice(4)];
if (preset === 'broken') { console.error('training failed: out of luck'); process.exit(3); }
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(out + '/config.json', JSON.stringify(${JSON.stringify(config)}));
fs.writeFileSync(out + '/argv.json', JSON.stringify({ preset, command, outFlag, rest }));
const records = ${JSON.stringify([start('01-softmax', 1), batch(0, 0), batch(0, 1), epochEnd(0), end])};
records[0].step = preset;
let i = 0;
const timer = setInterval(() => {
  fs.appendFileSync(out + '/history.jsonl', JSON.stringify(records[i++]) + '\\n');
  if (i === records.length) { clearInterval(timer); console.log('done'); }
}, 60);
`;

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'mnist-lab-runs-'));
  await writeDoneRun(join(runsDir, 'done-run'));
  await writeDoneRun(join(runsDir, 'lab-1', '01-softmax')); // a step of `mnist-lab lab`
  await writeDoneRun(join(runsDir, 'study', 'trials', 't001')); // a trial of `mnist-lab tune`
  await writeDoneRun(join(runsDir, 'a', 'b', 'c', 'too-deep'));
  await mkdir(join(runsDir, 'empty-folder'));
  app = await buildApp({
    models: {},
    runsDir,
    presets: [{ name: '01-softmax', title: 'Softmax' }, { name: 'broken' }],
    trainCommand: [process.execPath, '-e', fakeCli(await fixtureConfig('01-softmax'))],
    limits: { pollMs: 20 },
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await rm(runsDir, { recursive: true, force: true });
});

/** The events of a stream of this server, read until it closes. */
const streamOf = (path: string, headers: Record<string, string> = {}, onOpen?: () => Promise<void>) => readEvents(`${url}${path}`, { headers, onOpen });

describe('runs API', () => {
  it('lists run folders with preset, status and metrics, skipping folders that are not runs', async () => {
    const { runs } = (await app.inject('/api/runs')).json();
    const summary = { preset: '01-softmax', status: 'completed', startedAt: '2026-11-30T00:00:00.000Z', epochsDone: 1, epochsPlanned: 1, metrics };
    expect(runs).toEqual([
      { id: 'study/trials/t001', ...summary },
      { id: 'lab-1/01-softmax', ...summary },
      { id: 'done-run', ...summary },
    ]);
  });

  it('serves the steps of a lab and the trials of a study under their folder paths', async () => {
    const trial = (await app.inject('/api/runs/study%2Ftrials%2Ft001')).json();
    expect(trial).toMatchObject({ id: 'study/trials/t001', status: 'completed', hasReport: true });
    const detail = (await app.inject('/api/runs/lab-1%2F01-softmax')).json();
    expect(detail).toMatchObject({ id: 'lab-1/01-softmax', status: 'completed', pictures: ['curves.png'], hasReport: true });
    const picture = await app.inject('/api/runs/lab-1%2F01-softmax/pictures/curves.png');
    expect(picture.rawPayload.equals(PNG_BYTES)).toBe(true);
  });

  it('gives one run its config, history, pictures and report', async () => {
    const detail = (await app.inject('/api/runs/done-run')).json();
    expect(detail.config).toEqual(await fixtureConfig('01-softmax'));
    expect(detail.history.map((r: HistoryRecord) => r.type)).toEqual(['start', 'batch', 'epoch', 'end']);
    expect(detail.pictures).toEqual(['curves.png']);
    expect(detail.hasReport).toBe(true);
    const picture = await app.inject('/api/runs/done-run/pictures/curves.png');
    expect(picture.headers['content-type']).toBe('image/png');
    expect(picture.rawPayload.equals(PNG_BYTES)).toBe(true);
    expect((await app.inject('/api/runs/done-run/report')).body).toBe('<h1>report</h1>');
  });

  it('never lets a request name a path: bad ids and file names are 404', async () => {
    const urls = [
      '/api/runs/..', '/api/runs/%2e%2e', '/api/runs/..%2Fdone-run', '/api/runs/nope', '/api/runs/.hidden',
      '/api/runs/done-run/pictures/notes.txt', '/api/runs/done-run/pictures/..%2F..%2Fmetrics.json',
      '/api/runs/done-run/pictures/%2Fetc%2Fpasswd.png', '/api/runs/empty-folder/report', '/api/runs/..%2F..%2Fetc/events',
      '/api/runs/lab-1%2F..', '/api/runs/lab-1%2F..%2Fdone-run', '/api/runs/a%2Fb%2Fc%2Ftoo-deep', '/api/runs/study%2F..%2F..%2Fx', '/api/runs/done-run%2Fpictures', '/api/runs/lab-1%2F01-softmax%2Fmodel',
    ];
    for (const path of urls) {
      const response = await app.inject(path);
      expect(response.statusCode, path).toBe(404);
      expect(['RUN_NOT_FOUND', 'NOT_FOUND']).toContain(response.json().code);
    }
  });

  it('serves only regular files inside the run folder: symlinks are neither listed nor followed', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'mnist-lab-outside-'));
    await writeFile(join(outside, 'secret.png'), 'SECRET-BYTES');
    await writeFile(join(outside, 'config.json'), JSON.stringify({ SECRET: 'SECRET-BYTES' }));
    await writeFile(join(outside, 'report.html'), '<p>SECRET-BYTES</p>');
    const linked = join(runsDir, 'linked-run');
    await writeDoneRun(linked);
    await symlink(join(outside, 'secret.png'), join(linked, 'pictures', 'leak.png'));
    await symlink('/etc/passwd', join(linked, 'pictures', 'passwd.png'));
    await symlink('curves.png', join(linked, 'pictures', 'alias.png')); // a link, even to a file inside
    await rm(join(linked, 'report.html'));
    await symlink(join(outside, 'report.html'), join(linked, 'report.html'));
    await rm(join(linked, 'config.json'));
    await symlink(join(outside, 'config.json'), join(linked, 'config.json'));
    await writeFile(join(outside, 'history.jsonl'), `${JSON.stringify({ type: 'end', time: 'SECRET-BYTES', status: 'completed' })}\n`);
    await rm(join(linked, 'history.jsonl'));
    await symlink(join(outside, 'history.jsonl'), join(linked, 'history.jsonl'));
    // A run whose whole pictures folder is a link to somewhere else.
    const linkedFolder = join(runsDir, 'linked-pictures');
    await writeDoneRun(linkedFolder);
    await rm(join(linkedFolder, 'pictures'), { recursive: true });
    await symlink(outside, join(linkedFolder, 'pictures'));
    try {
      const detail = (await app.inject('/api/runs/linked-run')).json();
      expect(detail.pictures).toEqual(['curves.png']);
      expect(detail.config).toBeNull();
      expect(detail.hasReport).toBe(false);
      for (const path of ['/api/runs/linked-run/pictures/leak.png', '/api/runs/linked-run/pictures/passwd.png', '/api/runs/linked-run/pictures/alias.png', '/api/runs/linked-run/report', '/api/runs/linked-pictures/pictures/secret.png']) {
        const response = await app.inject(path);
        expect(response.statusCode, path).toBe(404);
        expect(response.body).not.toContain('SECRET-BYTES');
        expect(response.body).not.toContain('root:');
      }
      expect((await app.inject('/api/runs/linked-pictures')).json().pictures).toEqual([]);
      // The stream reads no linked history: it ends at once with the status metrics.json gives.
      expect(await streamOf('/api/runs/linked-run/events')).toEqual([{ id: undefined, event: 'status', data: { status: 'completed' } }]);
      expect((await app.inject('/api/runs/linked-run/pictures/curves.png')).statusCode).toBe(200);
      // A model folder whose weights are a link elsewhere is not loaded, so never served at /models/….
      await mkdir(join(linked, 'model'));
      await writeFile(join(linked, 'model', 'model.json'), '{}');
      await symlink(join(outside, 'secret.png'), join(linked, 'model', 'weights.bin'));
      const model = await app.inject({ method: 'POST', url: '/api/runs/linked-run/model' });
      expect(model.statusCode).toBe(409);
      expect(model.json()).toMatchObject({ code: 'BAD_MODEL_FILE', message: expect.stringContaining('symlink') });
    } finally {
      await rm(linked, { recursive: true });
      await rm(linkedFolder, { recursive: true });
      await rm(outside, { recursive: true });
    }
  });

  it('streams the history of a run being written by another writer, torn lines and all', async () => {
    const dir = join(runsDir, 'live-run');
    await mkdir(dir);
    // The writer's liveness marker, as train() leaves it: this test process writes the run.
    await writeFile(join(dir, 'process.json'), JSON.stringify({ pid: process.pid, hostname: hostname(), started: '2026-11-30T00:00:00.000Z' }));
    const records = [start('03-relu-adam', 2), batch(0, 0), batch(0, 1), epochEnd(0), batch(1, 0), epochEnd(1), end];
    const writer = async () => {
      for (const record of records) {
        const line = `${JSON.stringify(record)}\n`;
        // Each line lands in two writes, as a process flushing mid-line would leave it.
        await appendFile(join(dir, 'history.jsonl'), line.slice(0, 10));
        await sleep(30);
        await appendFile(join(dir, 'history.jsonl'), line.slice(10));
        await sleep(30);
      }
    };
    const events = await streamOf('/api/runs/live-run/events', {}, writer);
    expect(events.map((e) => e.data)).toEqual(records);
    // Resuming from the id of the fourth record replays only what came after it.
    const resumed = await streamOf('/api/runs/live-run/events', { 'last-event-id': events[3].id ?? '' });
    expect(resumed.map((e) => e.data)).toEqual(records.slice(4));
  });
});

describe('starting trainings', () => {
  it('validates the request', async () => {
    const post = (payload: object) => app.inject({ method: 'POST', url: '/api/runs', payload });
    const unknown = await post({ preset: '99-magic' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'UNKNOWN_PRESET', hint: 'presets: 01-softmax, broken' });
    for (const payload of [{}, { preset: '../x' }, { preset: '01-softmax', epochs: 0 }, { preset: '01-softmax', steps: 'many' }, { preset: '01-softmax', out: '/tmp/x' }]) {
      const response = await post(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code).toBe('BAD_INPUT');
    }
  });

  it('runs the CLI as a child process and streams the run it writes', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: '01-softmax', epochs: 1, steps: 2, limit: 500 } });
    expect(response.statusCode).toBe(201);
    const { id, events: eventsUrl } = response.json();
    expect(id).toMatch(/^\d{8}-\d{6}-01-softmax$/);
    const events = await streamOf(eventsUrl);
    expect(events.filter((e) => e.event === 'message').map((e) => e.data.type)).toEqual(['start', 'batch', 'batch', 'epoch', 'end']);
    // The stream stays open past "end" until the process exits, as the CLI still writes pictures then.
    expect(events.at(-1)).toEqual({ id: undefined, event: 'exit', data: { exitCode: 0, log: ['done'] } });
    const detail = (await app.inject(`/api/runs/${id}`)).json();
    expect(detail.config.step.name).toBe('01-softmax');
    const argv = JSON.parse(readFileSync(join(runsDir, id, 'argv.json'), 'utf8'));
    expect(argv).toEqual({ preset: '01-softmax', command: 'train', outFlag: '--out', rest: ['--epochs', '1', '--steps', '2', '--limit', '500'] });
    expect(detail.status).toBe('completed');
    expect(detail.process).toMatchObject({ exitCode: 0, log: ['done'] });
  });

  it('starts the whole ladder: its steps appear as <lab>/<step> runs, the lab itself is not a run', async () => {
    const started = await app.inject({ method: 'POST', url: '/api/labs', payload: { epochs: 1, steps: 2 } });
    expect(started.statusCode).toBe(201);
    const { id, steps } = started.json();
    expect(id).toMatch(/-lab$/);
    expect(steps).toEqual([`${id}/01-softmax`]); // the ladder's steps among the presets this server offers
    let runs: { id: string; status: string }[] = [];
    for (let i = 0; i < 100 && !runs.some((r) => r.id === steps[0] && r.status === 'completed'); i++) {
      await sleep(50);
      runs = (await app.inject('/api/runs')).json().runs;
    }
    expect(runs.find((r) => r.id === steps[0])?.status).toBe('completed');
    expect(runs.some((r) => r.id === id)).toBe(false);
    let lab = (await app.inject(`/api/labs/${id}`)).json();
    for (let i = 0; i < 50 && lab.exitCode === null; i++) {
      await sleep(50);
      lab = (await app.inject(`/api/labs/${id}`)).json();
    }
    expect(lab).toMatchObject({ id, exitCode: 0 });
    const argv = JSON.parse(readFileSync(join(runsDir, id, '01-softmax', 'argv.json'), 'utf8'));
    expect(argv.rest).toEqual(['--epochs', '1', '--steps', '2']);
    expect((await app.inject({ method: 'POST', url: '/api/labs', payload: { epochs: 0 } })).statusCode).toBe(400);
    expect((await app.inject('/api/labs/nope')).statusCode).toBe(404);
  });

  it('reports a training that fails before writing anything', async () => {
    const { id, events: eventsUrl } = (await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: 'broken' } })).json();
    const events = await streamOf(eventsUrl);
    expect(events).toEqual([
      { id: undefined, event: 'status', data: { status: 'failed' } },
      { id: undefined, event: 'exit', data: { exitCode: 3, log: ['training failed: out of luck'] } },
    ]);
    const { runs } = (await app.inject('/api/runs')).json();
    expect(runs.find((r: { id: string }) => r.id === id)).toMatchObject({ preset: 'broken', status: 'failed' });
  });
});

describe('the cap on concurrent trainings', () => {
  it('answers 429 with a code and a hint beyond it, for runs and labs alike, and frees the slot when a training ends', async () => {
    const capped = await buildApp({
      models: {},
      runsDir,
      presets: [{ name: '01-softmax' }],
      // A training that takes 400 ms and writes nothing.
      trainCommand: [process.execPath, '-e', 'setTimeout(() => {}, 400)'],
      limits: { pollMs: 20, trainings: 1 },
    });
    try {
      const post = (url: string, payload: object) => capped.inject({ method: 'POST', url, payload });
      const first = await post('/api/runs', { preset: '01-softmax' });
      expect(first.statusCode).toBe(201);
      for (const [url, payload] of [['/api/runs', { preset: '01-softmax' }], ['/api/labs', {}]] as const) {
        const refused = await post(url, payload);
        expect(refused.statusCode, url).toBe(429);
        expect(refused.json()).toMatchObject({
          code: 'TOO_MANY_TRAININGS',
          message: expect.stringContaining('1 training'),
          hint: expect.stringContaining('--max-trainings'),
        });
      }
      let again = await post('/api/runs', { preset: '01-softmax' });
      for (let i = 0; i < 100 && again.statusCode === 429; i++) {
        await sleep(50);
        again = await post('/api/runs', { preset: '01-softmax' });
      }
      expect(again.statusCode).toBe(201);
    } finally {
      await capped.close();
    }
  });

  it('defaults to one training per two cores, at least one', async () => {
    expect(DEFAULT_LIMITS.trainings).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
  });
});
