import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { RecordingFile } from '@showwire/protocol';

/**
 * HUB_RECORDINGS_S3_URL, e.g. `http://KEY:SECRET@127.0.0.1:9000/recordings/showwire?region=eu-west-1`:
 * the endpoint (path-style, so any S3-compatible server works), credentials in the user part
 * (else the AWS SDK's usual sources: AWS_ACCESS_KEY_ID, …), the bucket, an optional key prefix.
 */
function parseS3Url(url: string) {
  const u = new URL(url);
  const [bucket, ...prefix] = u.pathname.split('/').filter(Boolean);
  if (!bucket) throw new Error('HUB_RECORDINGS_S3_URL must name a bucket in its path: http://KEY:SECRET@host:port/bucket[/prefix]');
  return {
    endpoint: `${u.protocol}//${u.host}`,
    bucket,
    prefix: prefix.length ? `${prefix.join('/')}/` : '',
    region: u.searchParams.get('region') ?? 'us-east-1',
    credentials: u.username ? { accessKeyId: decodeURIComponent(u.username), secretAccessKey: decodeURIComponent(u.password) } : undefined,
  };
}

/** What the serving route needs of an object: its bytes (the asked range of them) and their extent. */
interface StoredObject {
  body: Readable;
  status: 200 | 206;
  contentLength?: number;
  contentRange?: string;
}

/**
 * Recordings in an S3-compatible store, so that every hub can serve every recording. A file is
 * uploaded in parts (multipart); the object exists only once the last part is in and the upload
 * is completed, so a hub that dies mid-upload leaves no object, and the recording is announced
 * only after every file is stored.
 */
export function createS3Store(url: string, opts: { partSize?: number; onProgress?: (file: string, loaded: number) => void } = {}) {
  const { endpoint, bucket, prefix, region, credentials } = parseS3Url(url);
  const client = new S3Client({ endpoint, region, forcePathStyle: true, ...(credentials && { credentials }) });
  const key = (id: string) => prefix + id;

  return {
    async put(dir: string, files: RecordingFile[]): Promise<void> {
      for (const f of files) {
        const upload = new Upload({
          client,
          params: { Bucket: bucket, Key: key(f.id), Body: createReadStream(join(dir, f.id)), ContentType: f.contentType, Metadata: { sha256: f.sha256 } },
          partSize: opts.partSize ?? 8 * 1024 * 1024,
          queueSize: 2,
          // A failed upload aborts its parts rather than leaving them to the store's lifecycle rules.
          leavePartsOnError: false,
        });
        if (opts.onProgress) upload.on('httpUploadProgress', (p) => opts.onProgress!(f.id, p.loaded ?? 0));
        await upload.done();
      }
    },
    /** The object, or the asked range of it; undefined when the store has no such object. */
    async get(id: string, range: string | undefined): Promise<StoredObject | undefined> {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(id), ...(range && { Range: range }) }));
        return { body: out.Body as Readable, status: out.ContentRange ? 206 : 200, contentLength: out.ContentLength, contentRange: out.ContentRange };
      } catch (error) {
        if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)) return undefined;
        throw error;
      }
    },
    /** Deletes the objects last written before `before` (epoch ms); answers their ids. */
    async pruneBefore(before: number): Promise<string[]> {
      const deleted: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        const old = (page.Contents ?? []).filter((o) => o.Key && o.LastModified && o.LastModified.getTime() < before);
        if (old.length) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: old.map((o) => ({ Key: o.Key! })) } }));
        deleted.push(...old.map((o) => o.Key!.slice(prefix.length)));
        token = page.NextContinuationToken;
      } while (token);
      return deleted;
    },
    close: () => client.destroy(),
  };
}

export type S3Store = ReturnType<typeof createS3Store>;
