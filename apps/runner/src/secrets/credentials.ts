import { TrellisError, type Credential, type PutCredentialRequest } from '@trellis/schema';
import type { Store } from '../store/types.js';
import { SecretCipher, type SecretKeySource } from './cipher.js';

/** The variable that gives a named secret from the environment (which wins over a stored one). */
export function secretEnvName(name: string): string {
  return `TRELLIS_CREDENTIAL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** How long a runner trusts its copy of the stored provider keys (another runner on the database may change them). */
const PROVIDER_KEYS_TTL_MS = 5_000;

/**
 * Provider keys and named secrets entered in Settings: sealed into the store, opened only inside
 * the runner (the model resolver, the HTTP tool's request). Values never leave through the API.
 * Without a secret key (PostgreSQL and no TRELLIS_SECRET_KEY) names can be listed and deleted,
 * but nothing can be stored or read: `secrets_unavailable` says how to give a key.
 */
export class Credentials {
  private readonly cipher: SecretCipher | undefined;
  private providerKeys = new Map<string, { credential: string; value: string | undefined }>();
  private loadedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly key: SecretKeySource,
    /** The runner's environment, whose keys and secrets win over stored ones. */
    readonly env: Record<string, string | undefined> = process.env,
  ) {
    this.cipher = 'key' in key ? new SecretCipher(key.key) : undefined;
  }

  /** Why credentials cannot be stored or read here, or undefined when they can. */
  get unavailable(): string | undefined {
    return 'unavailable' in this.key ? this.key.unavailable : undefined;
  }

  list(): Promise<Credential[]> {
    return this.store.listCredentials();
  }

  async put(name: string, request: PutCredentialRequest): Promise<Credential> {
    const cipher = this.requireCipher();
    const saved = await this.store.putCredential({
      name,
      kind: request.kind,
      ...(request.provider ? { provider: request.provider } : {}),
      sealed: cipher.seal(name, request.value),
    });
    await this.refresh();
    return saved;
  }

  async delete(name: string): Promise<boolean> {
    const deleted = await this.store.deleteCredential(name);
    await this.refresh();
    return deleted;
  }

  /**
   * A named secret's value, for a tool's request: `TRELLIS_CREDENTIAL_<NAME>` wins, else the
   * stored secret. Fails (a step error naming the secret, never its value) when there is none
   * or it cannot be opened.
   */
  async secret(name: string): Promise<string> {
    const fromEnv = this.env[secretEnvName(name)];
    if (fromEnv) return fromEnv;
    const stored = await this.store.getCredential(name);
    if (!stored || stored.kind !== 'secret') {
      throw new TrellisError('missing_secret', `the secret "${name}" is not set: add it in Settings → Credentials, or set ${secretEnvName(name)} on the runner`);
    }
    if (!this.cipher) throw new TrellisError('missing_secret', `the secret "${name}" cannot be read: ${this.unavailable}`);
    const value = this.cipher.open(name, stored.sealed);
    if (value === undefined) throw unreadable(name);
    void this.store.touchCredential(name, new Date()).catch(() => undefined);
    return value;
  }

  /**
   * The stored key of a model provider (the newest credential for it), from the runner's copy:
   * synchronous, for the model resolver. Undefined when none is stored or it cannot be opened.
   */
  providerKey(provider: string): string | undefined {
    if (Date.now() - this.loadedAt > PROVIDER_KEYS_TTL_MS) void this.refresh().catch(() => undefined);
    return this.providerKeys.get(provider)?.value;
  }

  /** The credential that holds a provider's key, and whether it opens. */
  async providerCredential(provider: string): Promise<{ credential: string; readable: boolean } | undefined> {
    await this.refresh();
    const found = this.providerKeys.get(provider);
    return found && { credential: found.credential, readable: found.value !== undefined };
  }

  /** Providers with a stored key. */
  async storedProviders(): Promise<string[]> {
    await this.refresh();
    return [...this.providerKeys.keys()];
  }

  /** Reads the stored provider keys again (at start, after a change, and when the copy is old). */
  async refresh(): Promise<void> {
    this.loadedAt = Date.now();
    const listed = (await this.store.listCredentials()).filter((c) => c.kind === 'provider' && c.provider);
    listed.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)); // the newest for a provider wins
    const keys = new Map<string, { credential: string; value: string | undefined }>();
    for (const entry of listed) {
      const stored = await this.store.getCredential(entry.name);
      if (!stored) continue;
      keys.set(entry.provider!, { credential: entry.name, value: this.cipher?.open(entry.name, stored.sealed) });
    }
    this.providerKeys = keys;
  }

  private requireCipher(): SecretCipher {
    if (!this.cipher) throw new TrellisError('secrets_unavailable', this.unavailable!);
    return this.cipher;
  }
}

function unreadable(name: string): TrellisError {
  return new TrellisError(
    'credential_unreadable',
    `the credential "${name}" cannot be decrypted: it was stored under another secret key (TRELLIS_SECRET_KEY or secret.key changed). Restore that key, or enter the value again in Settings`,
  );
}
