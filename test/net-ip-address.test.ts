import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatIpv4, formatIpv6 } from '../src/net/ip-address';
import { concat } from './helpers/bytes';
import { ip6 } from './helpers/net-builders';

describe('formatIpv4', () => {
  test('dotted quad at an offset', () => {
    assert.equal(formatIpv4(Uint8Array.from([9, 10, 0, 255, 1]), 1), '10.0.255.1');
  });
});

describe('formatIpv6 (RFC 5952)', () => {
  const cases: Array<[string, string]> = [
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['fd99:0:0:0:0:0:0:2', 'fd99::2'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // tie: leftmost run (§4.2.3)
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed (§4.2.2)
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['ABCD:EF01:0:0:0:0:0:0', 'abcd:ef01::'], // lowercase (§4.3), no leading zeros (§4.1)
    ['0:0:0:0:0:ffff:102:304', '::ffff:1.2.3.4'], // IPv4-mapped: dotted tail (§5)
    ['0:0:0:0:0:0:102:304', '::102:304'], // deprecated IPv4-compatible: plain hex
    ['1:0:0:2:0:0:0:0', '1:0:0:2::'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => {
      assert.equal(formatIpv6(ip6(input), 0), expected);
    });
  }
  test('reads at an offset', () => {
    assert.equal(formatIpv6(concat(Uint8Array.of(7, 7, 7), ip6('fd00::1:2')), 3), 'fd00::1:2');
  });
});
