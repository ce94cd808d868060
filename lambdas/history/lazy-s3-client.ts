/*
 * What S3HistoryBodies needs from the S3 client, in a module of its own. It is imported only when a body too large
 * for its history item is first written or read (rare), and the consumer's bundle keeps it out of index.js: the
 * construct bundles it into a file of its own next to index.js (LAZY_S3_CLIENT_ENTRY in lib/consumer/consumer-entry.ts),
 * from the same pinned @aws-sdk/client-s3, so a cold start never parses the S3 client or its source map.
 */
export { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
export type { S3ClientConfig } from '@aws-sdk/client-s3';
