import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { isEmpty, seedDemo } from './demo/seed.js';

const config = loadConfig();
const { app, services } = await buildApp({ config });

if (config.SATSA_DEMO_DATA && isEmpty(services)) {
  const demo = await seedDemo(services);
  const lines = demo.users.map((u) => `  ${u.role.padEnd(20)} ${u.email}`);
  console.log(
    [
      '',
      'Satsa: demo data created (Region Blekinge, Uppdrag psykisk hälsa).',
      `Log in with any of these users and the password "${demo.password}":`,
      ...lines,
      '',
    ].join('\n'),
  );
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

const address = await app.listen({ port: config.PORT, host: config.HOST });
console.log(`Satsa is listening on ${address} — API reference at ${address}/docs`);
