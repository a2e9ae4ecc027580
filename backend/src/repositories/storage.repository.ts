import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, ConfigError } from '@/core/config';

export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

export interface StoredObject {
  size: number;
  contentType?: string;
}

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey');

/** The only code that talks to object storage (MinIO, S3, or the embedded s3rver). */
@Injectable()
export class StorageRepository implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Storage');
  private readonly client: S3Client;
  /** Signs URLs for the host browsers use, which may differ from the one the server reaches. */
  private readonly signer: S3Client;
  private readonly bucket: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { storage } = config;
    // The SDK version is pinned; its notice that later releases need Node 22 would only add a non-JSON line to the log.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const make = (endpoint: string) =>
      new S3Client({
        endpoint: endpoint || undefined,
        region: storage.region,
        forcePathStyle: storage.forcePathStyle,
        credentials: storage.accessKey && storage.secretKey ? { accessKeyId: storage.accessKey, secretAccessKey: storage.secretKey } : undefined,
        // Otherwise uploads are stored with checksum framing and presigned URLs carry checksum parameters.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    this.client = make(storage.endpoint);
    this.signer = storage.publicEndpoint === storage.endpoint ? this.client : make(storage.publicEndpoint);
    this.bucket = storage.bucket;
  }

  /** Creates the bucket when missing and lets browsers upload to it from the app's origin. */
  async onModuleInit(): Promise<void> {
    const { storage } = this.config;
    if (!storage.endpoint) throw new ConfigError('S3_ENDPOINT is not set and no embedded object storage was started');
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (!isMissing(error)) throw this.unreachable(error);
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
        this.logger.log(`created bucket ${this.bucket}`);
      } catch (createError) {
        // Another instance starting at the same time may have created it first.
        if (!(createError instanceof S3ServiceException && /BucketAlready(Owned|Exists)/.test(createError.name))) throw this.unreachable(createError);
      }
    }
    try {
      await this.client.send(
        new PutBucketCorsCommand({
          Bucket: this.bucket,
          CORSConfiguration: {
            CORSRules: [
              {
                AllowedOrigins: storage.corsOrigins,
                AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST'],
                AllowedHeaders: ['*'],
                ExposeHeaders: ['ETag'],
                MaxAgeSeconds: 3600,
              },
            ],
          },
        }),
      );
    } catch (error) {
      // MinIO has no per-bucket CORS API; it allows every origin unless MINIO_API_CORS_ALLOW_ORIGIN narrows it.
      this.logger.warn({ err: error }, 'bucket CORS not set by the server; make sure the storage allows the app origin');
    }
  }

  onApplicationShutdown(): void {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }

  /** A browser form upload whose policy pins the key, the content type and the exact size. */
  presignPost(input: { key: string; contentType: string; size: number; expiresSeconds: number }): Promise<PresignedPost> {
    return createPresignedPost(this.signer, {
      Bucket: this.bucket,
      Key: input.key,
      Fields: { 'Content-Type': input.contentType },
      Conditions: [
        ['eq', '$Content-Type', input.contentType],
        ['content-length-range', input.size, input.size],
      ],
      Expires: input.expiresSeconds,
    });
  }

  /** A short-lived download link; the response headers are fixed by the signature, not by the stored object. */
  presignGet(input: { key: string; expiresSeconds: number; contentType: string; disposition: string }): Promise<string> {
    return getSignedUrl(
      this.signer,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: input.key,
        ResponseContentType: input.contentType,
        ResponseContentDisposition: input.disposition,
        ResponseCacheControl: 'private, max-age=300',
      }),
      // Signing time rounded to the minute: repeated requests get the same URL, so browsers can cache the file.
      { expiresIn: input.expiresSeconds, signingDate: new Date(Math.floor(Date.now() / 60_000) * 60_000) },
    );
  }

  async head(key: string): Promise<StoredObject | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, contentType: head.ContentType };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** The first `bytes` of an object (all of it when smaller), enough to recognise its real type. */
  async readStart(key: string, bytes: number): Promise<Buffer> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async read(key: string): Promise<Buffer> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  /** A server-side copy; the source stays. */
  async copy(from: string, to: string): Promise<void> {
    await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${from}`, MetadataDirective: 'COPY' }));
  }

  /** Deleting a missing object is not an error in S3, so this is safe to repeat. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  private unreachable(error: unknown): ConfigError {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    return new ConfigError(`Object storage at ${this.config.storage.endpoint} (bucket ${this.bucket}) is not usable: ${reason}`);
  }
}
