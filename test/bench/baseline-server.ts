import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

/*
 * The benchmark's baseline: a bare Fastify endpoint in the same setup as Satsa (Node, tsx,
 * fastify + zod type provider, better-sqlite3 in WAL with synchronous=FULL) that validates a
 * small body with zod and does one INSERT transaction. Satsa's commands are measured against it.
 */

const db = new Database(process.env.BASELINE_DB!);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, case_id TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO entries (case_id, body, at) VALUES (?, ?, ?)');
const write = db.transaction((caseId: string, body: unknown) => insert.run(caseId, JSON.stringify(body), new Date().toISOString()));

const app = Fastify({ logger: false });
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);
app.withTypeProvider<ZodTypeProvider>().post(
  '/baseline/:id',
  {
    schema: {
      params: z.object({ id: z.string().max(64) }),
      body: z
        .object({
          type: z.string().max(64),
          payload: z.object({ date: z.iso.date(), title: z.string().min(1).max(300), audience: z.string().min(1).max(300) }).strict(),
        })
        .strict(),
    },
  },
  async (request) => {
    const result = write(request.params.id, request.body);
    return { id: Number(result.lastInsertRowid) };
  },
);
app.get('/health', async () => ({ status: 'ok' }));
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`ready ${address}`);
