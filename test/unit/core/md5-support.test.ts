import { getFips } from 'node:crypto';
import { md5SignaturesSupported } from '../../../lambdas/core/md5-support';

describe('Function: md5SignaturesSupported', () => {
  it('reports MD5 as available exactly when OpenSSL is not in FIPS mode, the same on every call', () => {
    // Act
    const answers = [md5SignaturesSupported(), md5SignaturesSupported()];

    // Assess
    expect(answers).toEqual(getFips() === 1 ? [false, false] : [true, true]);
  });
});
