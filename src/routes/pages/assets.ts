import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../../errors.js';
import { IMMUTABLE } from '../../http/security.js';
import { ASSET_BY_NAME } from '../../web/assets.js';

/**
 * The pages' stylesheets and script (src/web/assets.ts) at /assets/<name>.<hash>.<ext>. A name
 * carries its content's hash, so an answer never changes and is kept for a year; a name of an
 * older version is a 404.
 */
export const assetRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { schema: { hide: true }, config: { beforePasswordChange: true } },
    async (request, reply) => {
      const asset = ASSET_BY_NAME.get(request.params.file);
      if (!asset) throw new DomainError('not-found', `${request.url.split('?')[0]} does not exist`);
      return reply.type(asset.contentType).header('cache-control', IMMUTABLE).send(asset.body);
    },
  );
};
