import type { KeyPair } from '@nova/api-db';
import type { CreatedKeypair } from '@nova/keypairs';
import type { ApiVersion } from '../http/api-version';
import { VersionedView } from '../http/versioned-view';

/** Python's datetime as Nova's JSON writes it: naive, microseconds ("2014-05-07T12:06:13.681238"). */
function pyDateTime(date: Date | null): string | null {
  return date ? `${date.toISOString().slice(0, 23)}000` : null;
}

/** The create answer: the private key only for generated keypairs; `type` from 2.2. */
const created = new VersionedView<CreatedKeypair, { privateKey: boolean }>()
  .field('private_key', (c) => c.privateKey, { when: (ctx) => ctx.privateKey })
  .field('type', (c) => c.keypair.type, { since: '2.2' })
  .field('name', (c) => c.keypair.name)
  .field('public_key', (c) => c.keypair.public_key)
  .field('fingerprint', (c) => c.keypair.fingerprint)
  .field('user_id', (c) => c.keypair.user_id);

/** A list entry (each wrapped as {"keypair": ...}); `type` from 2.2. */
const summary = new VersionedView<KeyPair>()
  .field('name', (k) => k.name)
  .field('public_key', (k) => k.public_key)
  .field('fingerprint', (k) => k.fingerprint)
  .field('type', (k) => k.type, { since: '2.2' });

/** Show: the database record as Nova's object has it (API keypairs are never soft-deleted). */
const detail = new VersionedView<KeyPair>()
  .field('name', (k) => k.name)
  .field('public_key', (k) => k.public_key)
  .field('fingerprint', (k) => k.fingerprint)
  .field('user_id', (k) => k.user_id)
  .field('created_at', (k) => pyDateTime(k.created_at))
  .field('deleted', () => false)
  .field('deleted_at', () => null)
  .field('id', (k) => k.id)
  .field('updated_at', (k) => pyDateTime(k.updated_at))
  .field('type', (k) => k.type, { since: '2.2' });

export function keypairCreatedView(c: CreatedKeypair, version: ApiVersion) {
  return { keypair: created.render(c, version, { privateKey: c.privateKey !== undefined }) };
}

export function keypairListView(keypairs: KeyPair[], version: ApiVersion) {
  return { keypairs: keypairs.map((k) => ({ keypair: summary.render(k, version, undefined) })) };
}

export function keypairShowView(k: KeyPair, version: ApiVersion) {
  return { keypair: detail.render(k, version, undefined) };
}
