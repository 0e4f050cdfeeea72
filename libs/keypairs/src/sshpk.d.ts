/** The part of sshpk (which ships no types) that keypairs use. */
declare module 'sshpk' {
  export type KeyFormat = 'auto' | 'pem' | 'pkcs1' | 'pkcs8' | 'rfc4253' | 'ssh' | 'openssh';

  export interface Key {
    /** 'rsa', 'dsa', 'ecdsa', 'ed25519', 'curve25519'. */
    readonly type: string;
    readonly size: number;
    comment?: string;
    /** The key's numbers by name (rsa: e, n; ...), big-endian. */
    readonly part: Readonly<Record<string, { readonly data: Buffer } | undefined>>;
    toString(format?: KeyFormat): string;
    toBuffer(format?: KeyFormat): Buffer;
  }

  export function parseKey(data: string | Buffer, format?: KeyFormat): Key;
}
