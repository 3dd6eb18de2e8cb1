import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { AppConfig } from '@app/config';

/** Address, TLS and API key for both the client Connection and the worker's NativeConnection. */
export function temporalConnectionOptions(temporal: AppConfig['temporal']): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
} {
  const { tls, apiKey, address } = temporal;
  if (!tls) return { address, apiKey };
  const read = (path?: string): Buffer | undefined => (path ? readFileSync(path) : undefined);
  const crt = read(tls.certPath);
  const key = read(tls.keyPath);
  return {
    address,
    apiKey,
    tls: {
      serverNameOverride: tls.serverName,
      serverRootCACertificate: read(tls.caPath),
      clientCertPair: crt && key ? { crt, key } : undefined,
    },
  };
}
