package dev.slipway.core.store;

/** The in-memory store passes the store contract (the same instance is "the same place"). */
class InMemoryStateStoreTest extends StateStoreContract {
    private final InMemoryStateStore store = new InMemoryStateStore();

    @Override
    protected StateStore openStore() {
        return store;
    }
}
