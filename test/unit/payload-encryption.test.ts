// The payload codec and its keys, without Temporal: what is written, what reads it back, and
// what an operator is told when it cannot.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { ensureDevCodecToken, ensureDevKeys } from '../../src/encryption/dev-secrets';
import { newKeyEntry, parseKeyList } from '../../src/encryption/keys';
import {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  UnknownEncryptionKeyError,
} from '../../src/encryption/payload-codec';

const k1 = newKeyEntry('k1');
const k2 = newKeyEntry('k2');
const value = { name: 'Joana Quaresma Vilar', cpf: '529.982.247-25' };
const plain = (): Payload => defaultPayloadConverter.toPayload(value);
const meta = (p: Payload, key: string) => Buffer.from(p.metadata?.[key] ?? new Uint8Array()).toString('utf8');
const bytes = (p: Payload) =>
  Buffer.concat([...Object.values(p.metadata ?? {}).map((v) => Buffer.from(v ?? [])), Buffer.from(p.data ?? [])]);

describe('EncryptionCodec', () => {
  it('writes ciphertext under the newest key and reads it back, metadata included', async () => {
    const codec = new EncryptionCodec(parseKeyList(`${k1},${k2}`));
    const [sealed] = await codec.encode([plain()]);
    expect(meta(sealed, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(meta(sealed, KEY_ID_METADATA)).toBe('k1');
    for (const s of ['Joana', '529.982', 'json/plain']) expect(bytes(sealed).includes(Buffer.from(s))).toBe(false);
    const [opened] = await codec.decode([sealed]);
    expect(meta(opened, 'encoding')).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(value);
  });

  it('never writes the same ciphertext twice (a fresh nonce per payload)', async () => {
    const codec = new EncryptionCodec(parseKeyList(k1));
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('never reuses a nonce, across the batches nonces are drawn in, and each still decrypts', async () => {
    const codec = new EncryptionCodec(parseKeyList(k1));
    const sealed = await codec.encode(Array.from({ length: 700 }, plain));
    const nonces = new Set(sealed.map((p) => Buffer.from(p.data!).subarray(0, 12).toString('hex')));
    expect(nonces.size).toBe(700);
    const opened = await codec.decode(sealed);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(Array.from({ length: 700 }, () => value));
  });

  it('rotation: a payload of the old key still decrypts once a new key is in front', async () => {
    const [old] = await new EncryptionCodec(parseKeyList(k1)).encode([plain()]);
    const rotated = new EncryptionCodec(parseKeyList(`${k2},${k1}`));
    expect(rotated.currentKeyId).toBe('k2');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0])).toEqual(value);
    expect(meta((await rotated.encode([plain()]))[0], KEY_ID_METADATA)).toBe('k2');
  });

  it('names the key id of a payload under a key it does not have', async () => {
    const [old] = await new EncryptionCodec(parseKeyList(k1)).encode([plain()]);
    const other = new EncryptionCodec(parseKeyList(k2));
    await expect(other.decode([old])).rejects.toThrow(UnknownEncryptionKeyError);
    await expect(other.decode([old])).rejects.toThrow(/"k1".*not configured here \(known: k2\)/);
  });

  it('refuses altered bytes, a relabelled key id and a same-named key of another value', async () => {
    const codec = new EncryptionCodec(parseKeyList(`${k1},${k2}`));
    const [sealed] = await codec.encode([plain()]);
    const flipped = Buffer.from(sealed.data!);
    flipped[20] ^= 1;
    await expect(codec.decode([{ ...sealed, data: flipped }])).rejects.toThrow(PayloadDecryptionError);
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/"k2" does not decrypt/);
    const impostor = new EncryptionCodec(parseKeyList(newKeyEntry('k1')));
    await expect(impostor.decode([sealed])).rejects.toThrow(/"k1" does not decrypt/);
    await expect(codec.decode([{ ...sealed, data: Buffer.alloc(5) }])).rejects.toThrow(PayloadDecryptionError);
  });

  it('passes payloads written before encryption through unchanged', async () => {
    const codec = new EncryptionCodec(parseKeyList(k1));
    const before = plain();
    expect(await codec.decode([before])).toEqual([before]);
  });
});

describe('encryption keys', () => {
  it('reads id:base64 lists, newest first, by comma or line, with comments', () => {
    const keys = parseKeyList(`# rotated 2026-12\n${k2}\n${k1}`);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0].secret).toHaveLength(32);
  });

  it.each([
    ['no colon', 'k1', /entry 1: expected id:base64-key/],
    ['bad id', 'a b:AAAA', /key id must be/],
    ['short key', 'k1:AAAA', /key k1: expected 32 bytes/],
    ['not base64', `k1:${'!'.repeat(44)}`, /key k1: expected 32 bytes/],
    ['duplicate id', `${k1},${k1}`, /key id k1 appears twice/],
  ])('refuses %s, naming the entry but not the value', (_what, text, message) => {
    expect(() => parseKeyList(text)).toThrow(message);
    try {
      parseKeyList(text);
    } catch (err) {
      expect((err as Error).message).not.toContain(text.split(':')[1] || '\u0000');
    }
  });

  it('never shows a key value when printed, logged or serialized', () => {
    const [key] = parseKeyList(k1);
    const secret = k1.split(':')[1];
    expect(JSON.stringify({ key })).toBe('{"key":{"id":"k1"}}');
    expect(inspect(key)).toBe('EncryptionKey(k1)');
    expect(`${JSON.stringify(loadConfig({ COUNTERSIGN_ENCRYPTION_KEYS: k1 }))}`).not.toContain(secret);
  });

  it('config: keys from the variable or a file, one or the other, errors naming the variable without the value', () => {
    expect(loadConfig({ COUNTERSIGN_ENCRYPTION_KEYS: `${k2},${k1}` }).encryption.keys.map((k) => k.id)).toEqual([
      'k2',
      'k1',
    ]);
    expect(loadConfig({}).encryption.keys).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'countersign-keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, `${k1}\n`);
    expect(loadConfig({ COUNTERSIGN_ENCRYPTION_KEYS_FILE: file }).encryption).toMatchObject({
      source: 'COUNTERSIGN_ENCRYPTION_KEYS_FILE',
    });
    expect(() => loadConfig({ COUNTERSIGN_ENCRYPTION_KEYS_FILE: join(dir, 'missing') })).toThrow(
      /COUNTERSIGN_ENCRYPTION_KEYS_FILE: cannot read .*ENOENT/,
    );
    expect(() => loadConfig({ COUNTERSIGN_ENCRYPTION_KEYS: k1, COUNTERSIGN_ENCRYPTION_KEYS_FILE: file })).toThrow(
      /set one or the other/,
    );
    const bad = `k1:${k1.split(':')[1].slice(4)}`;
    expect(() => loadConfig({ COUNTERSIGN_ENCRYPTION_KEYS: bad })).toThrow(
      /COUNTERSIGN_ENCRYPTION_KEYS: key k1: expected 32 bytes.*\(value hidden\)/,
    );
    try {
      loadConfig({ COUNTERSIGN_ENCRYPTION_KEYS: bad });
    } catch (err) {
      expect((err as Error).message).not.toContain(bad.split(':')[1]);
    }
  });

  it('config: codec token length and origins are checked', () => {
    expect(
      loadConfig({
        COUNTERSIGN_CODEC_TOKEN: 'x'.repeat(16),
        COUNTERSIGN_CODEC_ORIGINS: 'http://localhost:8080, https://ui.example.com/',
      }).codec,
    ).toEqual({
      token: 'x'.repeat(16),
      origins: ['http://localhost:8080', 'https://ui.example.com'],
    });
    expect(() => loadConfig({ COUNTERSIGN_CODEC_TOKEN: 'short' })).toThrow(
      /COUNTERSIGN_CODEC_TOKEN: expected at least 16 characters \(value hidden\)/,
    );
    expect(() => loadConfig({ COUNTERSIGN_CODEC_ORIGINS: 'localhost:8080' })).toThrow(
      /COUNTERSIGN_CODEC_ORIGINS: expected origins/,
    );
    expect(() => loadConfig({ COUNTERSIGN_CODEC_ORIGINS: 'http://ui.example.com/path' })).toThrow(
      /COUNTERSIGN_CODEC_ORIGINS/,
    );
  });

  it('development key and codec token: made once, owner-only, the same after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-dev-'));
    const first = ensureDevKeys(dir);
    expect(first.created).toBe(true);
    expect(first.keys).toHaveLength(1);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const again = ensureDevKeys(dir);
    expect(again.created).toBe(false);
    expect(again.keys[0].secret.equals(first.keys[0].secret)).toBe(true);
    const token = ensureDevCodecToken(dir);
    expect(token.token.length).toBeGreaterThanOrEqual(16);
    expect(statSync(token.file).mode & 0o777).toBe(0o600);
    expect(ensureDevCodecToken(dir).token).toBe(token.token);
  });
});
