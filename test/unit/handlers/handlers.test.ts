import { handlers } from '../../../handlers';
import { DecisionMessage } from '../../../lambdas/consumer/process-record';
import { signedEventRecord } from '../../support/sqs-records';
import { captureOutput, CapturedOutput, decisionLines } from '../../support/captured-output';
import { fluentKey, testConsumer } from '../consumer/consumer-fixtures';

describe('Object: handlers (the shipped handler map)', () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  it.each([['OrderStatusChange'], ['FulfilmentUpdate'], ['ReturnCreated']])(
    'processes a %s event out of the box, logging what it is about but not its attributes',
    async (name) => {
      // Prepare
      const consumer = testConsumer(handlers);
      const { record } = signedEventRecord(fluentKey().privateKey, {
        id: `event-${name}`,
        name,
        attributes: { secret: 'ATTRIBUTE-VALUE' },
      });

      // Act
      const response = await consumer.deliver(record);

      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(decisionLines(output)).toEqual([
        expect.objectContaining({ message: DecisionMessage.PROCESSED, eventName: name }),
      ]);
      expect(output.records().filter((line) => !('outcome' in line) && line.eventName === name)).toHaveLength(1);
      expect(output.text()).not.toContain('ATTRIBUTE-VALUE');
    },
  );
});
