// The seed client's signaling (../shared/seed/000_770f4ea2fe7f421f.txt), transcribed over the
// fakes: offers to every member whose join it sees, answers every offer with a new connection,
// sends `sdp` as the description object and candidates as objects, never sends `media`.

import { roomSendDestination, roomTopic } from '../protocol';
import type { Transport, TransportFactory } from '../transport';
import { FakeMediaStream, FakePeerConnection, type FakePeerConnectionOptions } from './fakes';

export class SeedClient {
  readonly pcs = new Map<string, FakePeerConnection>();
  readonly remoteStreams = new Map<string, FakeMediaStream>();
  /** Failures the seed would leave as unhandled rejections, except ICE ones (harmless). */
  readonly errors: unknown[] = [];
  readonly iceErrors: unknown[] = [];
  private transport: Transport | null = null;

  constructor(
    readonly id: string,
    private readonly roomKey: string,
    private readonly factory: TransportFactory,
    private readonly local: FakeMediaStream,
    private readonly pcOptions: FakePeerConnectionOptions = {},
  ) {}

  connect(): void {
    this.transport = this.factory({
      onConnected: () => {
        this.transport?.subscribe(roomTopic(this.roomKey), {}, (body) => this.onMessage(body));
        this.send({ type: 'join', from: this.id, nickname: `nick-${this.id}` });
      },
      onError: (message) => this.errors.push(new Error(message)),
      onClosed: () => undefined,
    });
  }

  private send(message: Record<string, unknown>): void {
    this.transport?.publish(roomSendDestination(this.roomKey), JSON.stringify(message));
  }

  private onMessage(body: string): void {
    // The seed trusts the broker: no validation, exactly like the original.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json = JSON.parse(body) as Record<string, any>;
    if (json['type'] === 'join') {
      if (json['from'] !== this.id) this.makeOffer(json['from']);
    } else if (json['type'] === 'offer') {
      if (this.id === json['target']) void this.makeAnswer(json['from'], json['sdp']);
    } else if (json['type'] === 'answer') {
      if (this.id === json['target']) {
        this.pcs.get(json['from'])?.setRemoteDescription(json['sdp']).catch((e: unknown) => this.errors.push(e));
      }
    } else if (json['type'] === 'ice') {
      if (this.id === json['target']) {
        this.pcs.get(json['from'])?.addIceCandidate(json['iceCandidate']).catch((e: unknown) => this.iceErrors.push(e));
      }
    } else if (json['type'] === 'leave') {
      this.pcs.get(json['from'])?.close();
    }
  }

  private makeOffer(target: string): void {
    const pc = this.createPeerConnection(target);
    pc.addEventListener('negotiationneeded', () => {
      void (async () => {
        try {
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          this.send({ type: 'offer', from: this.id, target, sdp: pc.localDescription });
        } catch (e) {
          this.errors.push(e);
        }
      })();
    });
  }

  private async makeAnswer(target: string, offer: RTCSessionDescriptionInit): Promise<void> {
    const pc = this.createPeerConnection(target);
    try {
      await pc.setRemoteDescription(offer);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.send({ type: 'answer', from: this.id, target, sdp: pc.localDescription });
    } catch (e) {
      this.errors.push(e);
    }
  }

  private createPeerConnection(target: string): FakePeerConnection {
    const pc = new FakePeerConnection({}, this.pcOptions);
    this.pcs.set(target, pc);
    pc.addEventListener('icecandidate', (event) => {
      const { candidate } = event as unknown as { candidate: unknown };
      this.send({ type: 'ice', from: this.id, target, iceCandidate: candidate });
    });
    pc.addEventListener('track', (event) => {
      const { streams } = event as unknown as { streams: FakeMediaStream[] };
      const stream = streams[0];
      if (stream) this.remoteStreams.set(stream.id, stream);
    });
    for (const track of this.local.getTracks()) pc.addTrack(track, this.local);
    return pc;
  }
}
