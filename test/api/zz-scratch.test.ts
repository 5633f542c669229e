import { afterAll, beforeAll, it } from 'vitest';
import { FULL_STORY } from '../../src/demo/story.js';
import { auth, createCase, createTestApp, json, sendEvent, type TestApp } from '../helpers.js';
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => t.close());
it('probe', async () => {
  const id = await createCase(t);
  const g = await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(t.tokens.initiator) });
  const b = g.json();
  console.log(JSON.stringify({ ...b, data: undefined, blockedEvents: b.blockedEvents.slice(0,3) }, null, 1));
  for (const step of FULL_STORY) {
    const res = await sendEvent(t, id, t.tokens[step.role], { type: step.type, payload: step.payload });
    const j = json<any>(res);
    console.log(step.type, res.statusCode, res.headers.etag, JSON.stringify(j.steps), j.stepText, JSON.stringify(j.state), j.status, j.outcome, j.priorityAreaId);
  }
  const h = await t.app.inject({ method: 'GET', url: `/api/cases/${id}/history`, headers: auth(t.tokens.initiator) });
  const hj = h.json();
  console.log(JSON.stringify({...hj, events: hj.events.slice(0,3)}, null, 1));
});
