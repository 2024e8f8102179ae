// Trial command lines, Redis URLs, waiting for Redis and run-folder packing: the small pieces between the study and the processes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRedisUrl, readyUnlessAborted } from '../../src/tune/redis.js';
import { packRunFolder, unpackRunFolder } from '../../src/tune/run-folder-pack.js';
import { defaultTrialCommand, flagWords, parseCommand, trainArgs } from '../../src/tune/trial-command.js';
import { tempDir } from '../helpers/tune.js';

describe('trial command', () => {
  it('builds train arguments: preset, fixed args, then the trial values', () => {
    expect(trainArgs({ preset: 'mlengine', args: { steps: 5, 'no-pictures': true, json: false } }, { 'hp-conv1': 15, 'hp-lr0': 0.0123 })).toEqual([
      'train',
      'mlengine',
      '--steps',
      '5',
      '--no-pictures',
      '--hp-conv1',
      '15',
      '--hp-lr0',
      '0.0123',
    ]);
    expect(flagWords({ x: 1e-7 })).toEqual(['--x', '1e-7']);
  });

  it('reads the training program from the environment as words or JSON', () => {
    expect(parseCommand('node /opt/lab/bin/mnist-lab.js')).toEqual(['node', '/opt/lab/bin/mnist-lab.js']);
    expect(parseCommand('["/my node", "cli.js"]')).toEqual(['/my node', 'cli.js']);
    expect(() => parseCommand('[1]')).toThrow(/MNIST_LAB_TRIAL_COMMAND must be a non-empty JSON array of strings/);
    expect(defaultTrialCommand({ MNIST_LAB_TRIAL_COMMAND: 'mnist-lab' })).toEqual(['mnist-lab']);
    const fromSource = defaultTrialCommand({});
    expect(fromSource[0]).toBe(process.execPath);
    expect(fromSource.at(-1)).toMatch(/src\/cli\/main\.ts$/);
  });
});

describe('redis URL', () => {
  it('parses host, port, db and credentials', () => {
    expect(parseRedisUrl('redis://10.0.0.5:6380/2')).toEqual({ host: '10.0.0.5', port: 6380, db: 2, username: undefined, password: undefined });
    expect(parseRedisUrl('redis://:s%40cret@box')).toMatchObject({ host: 'box', port: 6379, db: 0, password: 's@cret' });
  });

  it('names the flag and the rule for a bad URL', () => {
    expect(() => parseRedisUrl('localhost:6379')).toThrow(/--queue must be a URL like redis:\/\/HOST:PORT/);
    expect(() => parseRedisUrl('http://localhost:6379')).toThrow(/--queue must be a URL like redis:\/\/HOST:PORT\[\/DB\]; got "http:/);
    expect(() => parseRedisUrl('redis://localhost/x')).toThrow(/got "redis:\/\/localhost\/x"/);
  });
});

describe('run folder packing', () => {
  it('round-trips a run folder without its checkpoints and never writes outside the target', () => {
    const src = tempDir('pack-src');
    mkdirSync(join(src, 'model'), { recursive: true });
    mkdirSync(join(src, 'checkpoints', 'epoch-1'), { recursive: true });
    writeFileSync(join(src, 'metrics.json'), '{"test_loss":1}');
    writeFileSync(join(src, 'model', 'weights.bin'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(src, 'checkpoints', 'epoch-1', 'state.json'), '{}');
    const packed = packRunFolder(src);
    expect(packed.map((f) => f.path)).toEqual(['metrics.json', 'model/weights.bin']);

    const dest = join(tempDir('pack-dest'), 'run');
    unpackRunFolder([...packed, { path: '../escape.txt', base64: 'eA==' }], dest);
    expect(readFileSync(join(dest, 'metrics.json'), 'utf8')).toBe('{"test_loss":1}');
    expect([...readFileSync(join(dest, 'model', 'weights.bin'))]).toEqual([0, 1, 2, 255]);
    expect(() => readFileSync(join(dest, '..', 'escape.txt'))).toThrow();
  });
});

describe('readyUnlessAborted', () => {
  it('resolves when ready, and ends a wait that would never end as INTERRUPTED once Ctrl-C aborts', async () => {
    await expect(readyUnlessAborted(Promise.resolve('ready'), new AbortController().signal, 'the tuner')).resolves.toBeUndefined();
    const never = new Promise<void>(() => undefined);
    const controller = new AbortController();
    const waiting = readyUnlessAborted(never, controller.signal, 'the tuner');
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'INTERRUPTED', exitCode: 130, message: 'the tuner stopped while connecting to Redis' });
    await expect(readyUnlessAborted(never, AbortSignal.abort(), 'worker w')).rejects.toMatchObject({ code: 'INTERRUPTED' });
  });
});
