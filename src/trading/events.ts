/**
 * Synchronous domain-event dispatch. A listener that throws is reported once per listener to
 * `onListenerError` (default: `console.error`) and never breaks the engine or other listeners.
 *
 * @module
 */

import type { DomainEvent } from "./types.ts";

/** A domain-event listener. */
export type Listener = (event: DomainEvent) => void;

/** Dispatches domain events to subscribers, synchronously and in subscription order. */
export class EventBus {
  #listeners: Listener[] = [];
  readonly #onListenerError: (error: unknown) => void;
  readonly #reported = new WeakSet<Listener>();

  /** Creates a bus; `onListenerError` sees errors thrown by listeners. */
  constructor(onListenerError?: (error: unknown) => void) {
    this.#onListenerError = onListenerError ??
      ((error) => console.error("A domain-event listener failed:", error));
  }

  /** Whether anyone listens (lets producers skip building events). */
  get active(): boolean {
    return this.#listeners.length > 0;
  }

  /** Subscribes; returns an unsubscribe function. */
  on(listener: Listener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Delivers an event to every listener. */
  emit(event: DomainEvent): void {
    // The array is replaced, never mutated, on (un)subscribe, so iteration is stable.
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        if (!this.#reported.has(listener)) {
          this.#reported.add(listener);
          this.#onListenerError(error);
        }
      }
    }
  }
}
