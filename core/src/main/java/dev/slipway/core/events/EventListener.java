package dev.slipway.core.events;

/** Told of each event, in order per service, once the change it reports is saved (on a thread of Slipway's own). */
@FunctionalInterface
public interface EventListener {
    void onEvent(AppRunnerEvent event);
}
