import { toSqsEvent, toSqsEventRecord } from '../../../tools/local/sqs-event-records';

describe('Function: toSqsEventRecord', () => {
  const queueArn = 'arn:aws:sqs:us-east-1:000000000000:fluent-webhooks';

  it('builds the record Lambda delivers: attributes in its shape, source, ARN and region', () => {
    // Prepare
    const message = {
      MessageId: 'm-1',
      ReceiptHandle: 'r-1',
      Body: '{"id":"e-1"}',
      MD5OfBody: 'md5-body',
      MD5OfMessageAttributes: 'md5-attributes',
      Attributes: {
        ApproximateReceiveCount: '2',
        SentTimestamp: '1',
        SenderId: 'AIDA',
        ApproximateFirstReceiveTimestamp: '2',
      },
      MessageAttributes: {
        Route: { DataType: 'String', StringValue: 'orders/status' },
        Blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 255]) },
      },
    };

    // Act
    const record = toSqsEventRecord(message, queueArn, 'us-east-1');

    // Assess
    expect(record).toEqual({
      messageId: 'm-1',
      receiptHandle: 'r-1',
      body: '{"id":"e-1"}',
      attributes: {
        ApproximateReceiveCount: '2',
        SentTimestamp: '1',
        SenderId: 'AIDA',
        ApproximateFirstReceiveTimestamp: '2',
      },
      messageAttributes: {
        Route: { stringValue: 'orders/status', stringListValues: [], binaryListValues: [], dataType: 'String' },
        Blob: { binaryValue: 'AQL/', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: 'md5-body',
      md5OfMessageAttributes: 'md5-attributes',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    });
  });

  it.each([['MessageId'], ['ReceiptHandle']])('refuses a message without %s, which no record can lack', (field) => {
    // Prepare
    const message: Record<string, string> = { MessageId: 'm-1', ReceiptHandle: 'r-1', Body: 'x' };
    delete message[field];

    // Act
    const build = () => toSqsEventRecord(message, queueArn, 'us-east-1');

    // Assess
    expect(build).toThrow(`has no ${field}`);
  });
});

describe('Function: toSqsEvent', () => {
  it('keeps the batch order', () => {
    // Act
    const event = toSqsEvent(
      [
        { MessageId: 'a', ReceiptHandle: 'ra', Body: '1' },
        { MessageId: 'b', ReceiptHandle: 'rb', Body: '2' },
      ],
      'arn:aws:sqs:us-east-1:000000000000:q',
      'us-east-1',
    );

    // Assess
    expect(event.Records.map((record) => record.messageId)).toEqual(['a', 'b']);
  });
});
