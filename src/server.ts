import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { isEmpty, seedDemo } from './demo/seed.js';

const config = loadConfig();
const { app, services } = await buildApp({ config });

if (config.SATSA_DEMO_DATA && isEmpty(services)) {
  const demo = await seedDemo(services);
  const width = Math.max(...demo.users.map((u) => u.email.length));
  const lines = demo.users.map((u) => `  ${u.role.padEnd(20)} ${u.email.padEnd(width)}  ${u.password}`);
  console.log(
    [
      '',
      'Satsa: demo data created (Region Blekinge, Uppdrag psykisk hälsa; Örebro läns norra del).',
      'Log in as any of these users. The passwords were made for this install and are shown only now;',
      'the administrators choose their own at the first log-in. For real use, start without demo data:',
      'SATSA_DEMO_DATA=false (see README.md).',
      ...lines,
      '',
    ].join('\n'),
  );
}

// An install without anyone in it (no demo data): a one-time link to make the first
// programme and its administrator in the browser. (Or: npm run cli -- programme:add and user:create.)
const setup = services.onboarding.setupLink();
if (setup) {
  console.log(
    [
      '',
      'Satsa: nobody has an account yet. Open this link to choose the first programme and make its administrator',
      `(it can be used once, until ${setup.expiresAt}; a new one is printed at every start until someone has an account):`,
      `  ${config.publicUrl}/setup/${setup.token}`,
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
