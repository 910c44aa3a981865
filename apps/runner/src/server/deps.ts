import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Store } from '../store/types.js';
import type { ServerConfig } from './config.js';
import type { KeyAuth } from './keys.js';
import type { Logger } from './logger.js';
import type { PublishedDirectory } from './published.js';
import type { RunService } from './service.js';

/** What every group of routes is built from. */
export interface Deps {
  store: Store;
  service: RunService;
  keys: KeyAuth;
  published: PublishedDirectory;
  config: Pick<ServerConfig, 'syncTimeoutMs'>;
  log: Logger;
}

export type Api = OpenAPIHono;
