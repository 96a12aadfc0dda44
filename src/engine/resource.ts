/**
 * Resource: `capacity` identical servers shared by processes in FIFO order (SimPy's Resource).
 *
 * `request()` returns an event that succeeds when a server is granted; `release(request)` gives it
 * back and grants the next waiter at the current time. A request may be cancelled while it waits.
 * Statistics needed by queueing tests are kept here: time-weighted busy servers and queue length.
 */
import type { Environment } from "./environment.ts";
import { SimEvent } from "./event.ts";
import { Fifo } from "./fifo.ts";
import { TimeWeighted } from "./statistics.ts";

export class Request extends SimEvent<Request> {
  // One class field of its own (`granted`), the others `declare`d and assigned: see the performance
  // notes on SimEvent.
  /** @internal true while this request holds a server. */
  granted = false;
  declare readonly resource: Resource;
  /** Time the request was made, ns. */
  declare readonly requestedAt: number;
  constructor(resource: Resource) {
    super(resource.env);
    this.resource = resource;
    this.requestedAt = resource.env.now;
  }
}

export class Resource {
  private users = 0;
  private readonly waiting = new Fifo<Request>();
  /** Time-weighted number of busy servers. */
  readonly busy: TimeWeighted;
  /** Time-weighted number of waiting requests. */
  readonly queueLength: TimeWeighted;

  constructor(
    readonly env: Environment,
    readonly capacity = 1,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Resource: capacity must be an integer >= 1, got ${capacity}`);
    }
    this.busy = new TimeWeighted(env.now);
    this.queueLength = new TimeWeighted(env.now);
  }

  get count(): number {
    return this.users;
  }
  get queued(): number {
    return this.waiting.length;
  }

  /** Asks for a server; the returned event succeeds (with the request itself) when granted. */
  request(): Request {
    const req = new Request(this);
    if (this.users < this.capacity && this.queued === 0) this.grant(req);
    else {
      this.waiting.push(req);
      this.queueLength.update(this.queued, this.env.now);
    }
    return req;
  }

  /** Gives back a granted server, or withdraws a request still waiting. */
  release(req: Request): void {
    if (req.granted && req.resource === this) {
      req.granted = false;
      this.users--;
      this.busy.update(this.users, this.env.now);
      this.grantWaiting();
      return;
    }
    const i = this.waiting.indexOf(req);
    if (i >= 0) {
      this.waiting.removeAt(i);
      this.queueLength.update(this.queued, this.env.now);
      return;
    }
    throw new Error("Resource.release: request is neither granted nor waiting on this resource");
  }

  private grant(req: Request): void {
    req.granted = true;
    this.users++;
    this.busy.update(this.users, this.env.now);
    req.succeed(req);
  }

  private grantWaiting(): void {
    while (this.users < this.capacity && this.queued > 0) {
      const next = this.waiting.shift()!;
      this.queueLength.update(this.queued, this.env.now);
      this.grant(next);
    }
  }
}
