import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { TopicFilterMatcher } from './topic-filter.matcher.js';

/** The split-based matcher the compiled one replaces: [MQTT-4.7.1] as written before. */
function reference(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

describe(TopicFilterMatcher.name, () => {
  it('matches convoi topics to their filters only', () => {
    const telemetry = new TopicFilterMatcher(TOPIC_FILTERS.deviceTelemetry);
    assert.equal(telemetry.matches('v1/devices/D-1/telemetry'), true);
    assert.equal(telemetry.matches('v1/devices//telemetry'), true, '+ matches an empty level');
    assert.equal(telemetry.matches('v1/devices/D-1/telemetry/'), false);
    assert.equal(telemetry.matches('v1/devices/D-1/telemetryX'), false);
    assert.equal(telemetry.matches('v1/devices/D-1'), false);
    assert.equal(telemetry.matches('v1/devices/D-1/status'), false);
    const tts = new TopicFilterMatcher(TOPIC_FILTERS.ttsUplink);
    assert.equal(tts.matches('v3/app@tenant/devices/dev-1/up'), true);
    assert.equal(tts.matches('v3/app@tenant/devices/dev-1/up/x'), false);
  });

  it('treats # as the rest of the topic, its parent level included', () => {
    const all = new TopicFilterMatcher('a/#');
    assert.equal(all.matches('a'), true);
    assert.equal(all.matches('a/b/c'), true);
    assert.equal(all.matches('b/a'), false);
    assert.equal(new TopicFilterMatcher('#').matches('anything/at/all'), true);
  });

  it('agrees with the split-based matcher on random filters and topics', () => {
    const level = fc.constantFrom('', 'a', 'b', 'ab', 'v1', 'devices', 'x@y');
    const topic = fc.array(level, { minLength: 1, maxLength: 6 }).map((l) => l.join('/'));
    const filterLevel = fc.oneof(level, fc.constant('+'));
    const filter = fc
      .tuple(fc.array(filterLevel, { minLength: 1, maxLength: 6 }), fc.boolean())
      .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'));
    fc.assert(
      fc.property(filter, topic, (f, t) => {
        assert.equal(new TopicFilterMatcher(f).matches(t), reference(f, t), `${f} vs ${t}`);
      }),
      { numRuns: 20_000 },
    );
  });
});
