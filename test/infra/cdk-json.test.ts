import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';

describe('cdk.json', () => {
  it("carries exactly the feature flags this aws-cdk-lib recommends (what cdk init writes), so a flag's template change is deliberate", () => {
    // Prepare
    const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    };

    // Assess: on an aws-cdk-lib upgrade, copy the new recommendations in and review the template diff they cause.
    expect(cdkJson.context).toEqual(CURRENTLY_RECOMMENDED_FLAGS);
  });
});
