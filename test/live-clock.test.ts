/**
 * LiveClock (timestamps of live frames): anchored once to the wall clock it is given, then advanced only by the
 * monotonic clock, so stamps never go backwards, whatever the wall clock does afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveClock } from '../src/capture/live-clock';
import { compareTs, type Timestamp } from '../src/capture/raw-frame';

/** A monotonic clock the test moves by hand (nanoseconds). */
function manualHr(start: bigint): { hr: () => bigint; advance: (ns: bigint) => void } {
  let now = start;
  return { hr: () => now, advance: (ns) => (now += ns) };
}

const ts = (sec: number, nsec: number): Timestamp => ({ sec, nsec });

describe('LiveClock', () => {
  it('is anchored to the wall clock given: the first stamp is that time, exactly', () => {
    const { hr } = manualHr(123_456_789_000n);
    const clock = new LiveClock(() => 1795233644084, hr);
    assert.deepEqual(clock.stamp(), ts(1795233644, 84_000_000));
  });

  it('advances by the monotonic clock, to the nanosecond, carrying into seconds', () => {
    const { hr, advance } = manualHr(5n);
    const clock = new LiveClock(() => 1795233644999, hr);
    advance(1n);
    assert.deepEqual(clock.stamp(), ts(1795233644, 999_000_001));
    advance(999_998n);
    assert.deepEqual(clock.stamp(), ts(1795233644, 999_999_999));
    advance(1n);
    assert.deepEqual(clock.stamp(), ts(1795233645, 0));
    advance(3_600_000_000_123n); // an hour later
    assert.deepEqual(clock.stamp(), ts(1795237245, 123));
  });

  it('reads the wall clock once: later jumps of it (backwards or forwards) do not move the stamps', () => {
    const { hr, advance } = manualHr(1_000_000n);
    let wall = 1795233644000;
    let reads = 0;
    const clock = new LiveClock(() => {
      reads++;
      return wall;
    }, hr);
    const stamps: Timestamp[] = [clock.stamp()];
    for (const jump of [-3_600_000, +86_400_000, -1795233644000, +1]) {
      wall += jump; // NTP step, manual date change, ...
      advance(250_000n);
      stamps.push(clock.stamp());
    }
    assert.equal(reads, 1);
    assert.deepEqual(stamps, [ts(1795233644, 0), ts(1795233644, 250_000), ts(1795233644, 500_000), ts(1795233644, 750_000), ts(1795233644, 1_000_000)]);
  });

  it('with the real clocks: stamps never go backwards even when Date.now jumps back, and start at the wall time', () => {
    const realNow = Date.now;
    const before = realNow();
    const clock = new LiveClock(); // defaults: Date.now, process.hrtime.bigint
    const after = realNow();
    const first = clock.stamp();
    assert.ok(compareTs(first, ts(Math.floor(before / 1000), (before % 1000) * 1e6)) >= 0, 'not before the wall clock at start');
    assert.ok(first.sec <= Math.floor(after / 1000) + 1, 'near the wall clock at start');
    let prev = first;
    try {
      Date.now = () => before - 3_600_000; // the wall clock steps back an hour
      for (let i = 0; i < 20_000; i++) {
        const s = clock.stamp();
        assert.ok(Number.isInteger(s.sec) && Number.isInteger(s.nsec) && s.nsec >= 0 && s.nsec < 1e9, `stamp ${JSON.stringify(s)}`);
        assert.ok(compareTs(prev, s) <= 0, `stamp ${i} went backwards: ${JSON.stringify(prev)} then ${JSON.stringify(s)}`);
        prev = s;
      }
    } finally {
      Date.now = realNow;
    }
    assert.ok(prev.sec >= first.sec && prev.sec - first.sec < 60, 'still near the start time');
  });
});
