import { handlers } from '../../handlers';
import { createLambdaConsumerHandler } from './create-lambda-consumer-handler';

// The consumer Lambda's entry on this repository's handlers/: the one place the engine meets the user's code.
// A construct given a `handlersEntry` generates an entry like this one on that module instead.
export const handler = createLambdaConsumerHandler(handlers);
