/**
 * The conformance kit: each suite ({@code AsyncSocketSuite}, {@code ProtocolSuite}, ...) is subclassed by each
 * engine's tests, which supply the engine; tests skip on capabilities ({@link io.proactor.EngineFeatures}),
 * never on engine names.
 *
 * <h2>Threading</h2>
 * Suites call the API from the JUnit thread and check that handlers run on proactor threads; helpers such as
 * {@link io.proactor.tests.FaultProxy} run threads of their own and stop them when closed.
 *
 * <h2>Buffer ownership</h2>
 * {@link io.proactor.tests.LeakCheck} fails a test that leaves a descriptor, a thread or a direct buffer behind,
 * so every buffer a test gives an engine must come back, and every group, server and client must be closed.
 */
package io.proactor.tests;
