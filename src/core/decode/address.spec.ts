import { describe, expect, it } from 'vitest';
import { prng } from '../../../bench/support/generate-rules';
import { sourceAddress, splitAddress } from './address';

describe('sourceAddress', () => {
  it('reads the usual shapes', () => {
    expect(sourceAddress('198.51.100.23')).toEqual({ 'source.ip': '198.51.100.23' });
    expect(sourceAddress('10.0.0.5:51234')).toEqual({
      'source.ip': '10.0.0.5',
      labels: { source_port: '51234' },
    });
    expect(sourceAddress('2001:db8::1')).toEqual({ 'source.ip': '2001:db8::1' });
    expect(sourceAddress('bastion-1')).toEqual({ labels: { source_address: 'bastion-1' } });
  });

  it('gives what the straightforward definition gives, for random addresses and junk', () => {
    const random = prng(20261207);
    const pieces = ['10', '.', '0', '255', '256', ':', '::', '[', ']', ' ', '\t', 'a', 'f', '%'];
    pieces.push('eth0', '22', '198.51.100.23', '2001:db8::1', '-', '1.2.3', '\u00a0', 'x');
    for (let i = 0; i < 20_000; i++) {
      let value = '';
      const length = 1 + Math.floor(random() * 6);
      for (let k = 0; k < length; k++) value += pieces[Math.floor(random() * pieces.length)];
      expect(sourceAddress(value), JSON.stringify(value)).toEqual(splitAddress(value));
    }
  });
});
