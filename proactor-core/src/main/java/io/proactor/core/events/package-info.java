/**
 * Java Flight Recorder events of Proactor, category "Proactor": {@link io.proactor.core.events.RingSetupEvent},
 * {@link io.proactor.core.events.RingFallbackEvent}, {@link io.proactor.core.events.StallEvent},
 * {@link io.proactor.core.events.BufferExhaustedEvent} and
 * {@link io.proactor.core.events.CompletionQueueOverflowEvent}. Each is committed only while a recording
 * enables it ({@code shouldCommit()}), so they cost a check when no recording runs. Record them with e.g.
 * {@code java -XX:StartFlightRecording:filename=run.jfr ...}, then {@code jfr print --categories Proactor run.jfr}.
 */
package io.proactor.core.events;
