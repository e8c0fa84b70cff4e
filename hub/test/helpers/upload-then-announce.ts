import type { RecordingFile } from '@showwire/protocol';
import { createS3Store } from '../../src/recordings/s3-store.js';

/**
 * What a hub does when a recording closes, in a process of its own so a test can SIGKILL it
 * mid-upload: upload the files to S3 in 5 MiB parts (printing `part` after each), then announce
 * `recording_ready`. Arguments come as JSON in UPLOAD_JOB.
 */
const job = JSON.parse(process.env.UPLOAD_JOB!) as { s3Url: string; dir: string; files: RecordingFile[]; hubUrl: string; token: string; show: string };
const store = createS3Store(job.s3Url, { partSize: 5 * 1024 * 1024, onProgress: () => console.log('part') });
await store.put(job.dir, job.files);
const res = await fetch(`${job.hubUrl}/api/shows/${job.show}/events`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}` },
  body: JSON.stringify({ type: 'recording_ready', path: job.files[0]!.id, files: job.files }),
});
console.log(`announced ${res.status}`);
store.close();
