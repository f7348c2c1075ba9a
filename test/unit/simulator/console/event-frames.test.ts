import { describe, expect, it } from 'vitest';
import { EventFrames } from '../../../../simulator/console/event-hub';

describe('an interval\'s events as one frame', () => {
  it('is the JSON array of the events, byte for byte, whatever the text', () => {
    const events = ['{"a":"plain"}', '{"b":"ünïcödé 中文 😀"}', String.raw`{"c":"\"quoted\", \\ and \n"}`];
    const frames = new EventFrames(events);
    expect(frames.joined.toString('utf8')).toBe(`[${events.join(',')}]`);
    expect(JSON.parse(frames.joined.toString('utf8'))).toEqual(events.map((json) => JSON.parse(json) as unknown));
    expect(frames.frames.map((frame) => frame.toString('utf8'))).toEqual(events);
    expect(new EventFrames([events[1]!]).joined.toString('utf8')).toBe(`[${events[1]!}]`);
    expect(new EventFrames([]).joined.toString('utf8')).toBe('[]');
  });
});
