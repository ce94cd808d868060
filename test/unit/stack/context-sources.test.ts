import { mkdirSync, writeFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { closestName, resemblingName } from '../../../lib/internal/closest-name';
import { commandLineContextKeys, readCdkJsonContext } from '../../../lib/stack/context-sources';
import { useTempDir } from '../../support/temp-dir';

describe('Function: commandLineContextKeys', () => {
  const temp = useTempDir('context-sources-');

  it("tells -c values from cdk.json's: new keys and changed values came from the command line", () => {
    // Prepare: cdk.json as the user wrote it, and the context CDK hands the app (cdk.json merged with -c).
    mkdirSync(temp.path('app'));
    const cdkJson = {
      app: 'node app.js',
      context: { accountIds: 'ACME', throttlingRateLimit: 20, stageName: 'hooks' },
    };
    writeFileSync(temp.path('app', 'cdk.json'), JSON.stringify(cdkJson));
    const app = new App({
      context: { accountIds: 'ACME', throttlingRateLimit: '50', stageName: 'hooks', publicKeys: 'keys.b64' },
    });

    // Act
    const keys = commandLineContextKeys(app.node, readCdkJsonContext(temp.path('app')) ?? {});

    // Assess
    expect([...keys].sort()).toEqual(['publicKeys', 'throttlingRateLimit']);
  });

  it('reads no cdk.json where there is none', () => {
    // Act & Assess
    expect(readCdkJsonContext(temp.path())).toBeUndefined();
  });
});

describe('Function: closestName', () => {
  const known = ['enableWaf', 'wafRateLimit', 'accountIds', 'region', 'stageName'];

  it.each([
    ['enableWAF', 'enableWaf'],
    ['accountId', 'accountIds'],
    ['wafRatelimit', 'wafRateLimit'],
    ['regoin', 'region'],
    ['stagename', 'stageName'],
  ])('takes %s for a typo of %s', (typo, meant) => {
    // Act & Assess
    expect(closestName(typo, known)).toBe(meant);
  });

  it.each(['myOwnKey', 'env', 'vpcId', '@aws-cdk/core:stackRelativeExports'])('leaves %s alone', (name) => {
    // Act & Assess
    expect(closestName(name, known)).toBeUndefined();
  });
});

describe('Function: resemblingName', () => {
  const known = ['enableWaf', 'alarmEmail', 'consumerTimeoutSeconds', 'region', 'account', 'stageName'];

  it.each([
    ['enableWAF', 'enableWaf', 'a near miss, as closestName finds it'],
    ['emailAlarm', 'alarmEmail', 'the same words in another order'],
    ['alarmEmailAddress', 'alarmEmail', 'the same words and one more'],
    ['consumerTimeout', 'consumerTimeoutSeconds', 'the same words and one fewer'],
  ])('takes %s for %s: %s', (name, meant) => {
    // Act & Assess
    expect(resemblingName(name, known)).toBe(meant);
  });

  it.each(['vpcId', 'myTeamTag', 'regionName', 'myAccount', 'environmentName', 'env'])('leaves %s alone', (name) => {
    // Act & Assess
    expect(resemblingName(name, known)).toBeUndefined();
  });
});
