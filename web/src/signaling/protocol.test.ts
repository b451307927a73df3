import { describe, expect, it } from 'vitest';
import { parseRoomMessage } from './protocol';

describe('parseRoomMessage', () => {
  it('normalizes the seed\'s {type, sdp} object and a bare SDP string alike', () => {
    const object = parseRoomMessage('{"type":"offer","from":"a","target":"b","sdp":{"type":"offer","sdp":"v=0"}}');
    const bare = parseRoomMessage('{"type":"answer","from":"a","target":"b","sdp":"v=0","client":"parley"}');
    expect(object).toEqual({ type: 'offer', from: 'a', target: 'b', parley: false, description: { type: 'offer', sdp: 'v=0' } });
    expect(bare).toEqual({ type: 'answer', from: 'a', target: 'b', parley: true, description: { type: 'answer', sdp: 'v=0' } });
  });

  it('accepts a candidate object or null (end of candidates), nothing else', () => {
    expect(parseRoomMessage('{"type":"ice","from":"a","target":"b","iceCandidate":null}')).toMatchObject({ iceCandidate: null });
    expect(
      parseRoomMessage('{"type":"ice","from":"a","target":"b","iceCandidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"u"}}'),
    ).toMatchObject({ iceCandidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
    expect(parseRoomMessage('{"type":"ice","from":"a","target":"b","iceCandidate":"c"}')).toBeNull();
  });

  it('reads media with the optional screenStreamId', () => {
    expect(parseRoomMessage('{"type":"media","from":"a","audio":false,"video":true,"screen":true,"screenStreamId":"s"}')).toEqual({
      type: 'media', from: 'a', audio: false, video: true, screen: true, screenStreamId: 's',
    });
    expect(parseRoomMessage('{"type":"media","from":"a"}')).toMatchObject({ audio: true, video: true, screen: false, screenStreamId: null });
  });

  it('reads chat without from (the seed) and history', () => {
    expect(parseRoomMessage('{"type":"message","nickname":"n","msg":"hi"}')).toEqual({ type: 'message', from: null, nickname: 'n', msg: 'hi', at: null });
    expect(parseRoomMessage('{"type":"history","messages":[{"type":"message","msg":"x"},{"bad":1}]}')).toMatchObject({
      messages: [{ msg: 'x' }],
    });
  });

  it('rejects malformed bodies, unknown types and missing fields', () => {
    for (const body of ['', 'null', '[]', '"x"', '{"type":"nope","from":"a"}', '{"type":"join"}', '{"type":"offer","from":"a","target":"b"}', '{"type":"peers"}']) {
      expect(parseRoomMessage(body)).toBeNull();
    }
  });

  it('reads kick and mute (moderation), and rejects them without a target or a known kind', () => {
    expect(parseRoomMessage('{"type":"kick","from":"mod","target":"a"}')).toEqual({ type: 'kick', from: 'mod', target: 'a' });
    expect(parseRoomMessage('{"type":"mute","from":"mod","target":"a","kind":"audio"}')).toEqual({ type: 'mute', from: 'mod', target: 'a', kind: 'audio' });
    expect(parseRoomMessage('{"type":"mute","from":"mod","target":"a","kind":"video"}')).toMatchObject({ kind: 'video' });
    for (const body of ['{"type":"kick","from":"mod"}', '{"type":"mute","from":"mod","target":"a"}', '{"type":"mute","from":"mod","target":"a","kind":"screen"}', '{"type":"kick","target":"a"}']) {
      expect(parseRoomMessage(body), body).toBeNull();
    }
  });
});
