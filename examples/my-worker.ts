// Example: running Countersign's worker from your own code with your own activities, instead
// of COUNTERSIGN_ACTIVITIES_MODULE. Configuration still comes from the environment (TEMPORAL_*,
// provider credentials, POST_SIGNING_STEPS, ...).
//
//   CRM_URL=https://crm.example.com/api npx tsx examples/my-worker.ts
import { startCountersignWorker } from '../src';
import { createCrmActivities } from './update-crm';

async function main() {
  const running = await startCountersignWorker({
    activities: createCrmActivities({
      url: process.env.CRM_URL ?? 'http://localhost:4000/api',
      token: process.env.CRM_TOKEN,
    }),
  });
  console.log(`worker running with ${running.userActivities.join(', ')}`);
  process.once('SIGINT', () => void running.stop());
  await running.done;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
