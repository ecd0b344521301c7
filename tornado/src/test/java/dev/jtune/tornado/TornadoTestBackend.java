package dev.jtune.tornado;

/** The one tornado backend the tests share: its device memory (and each kernel's compilation) is made once per JVM. */
final class TornadoTestBackend {

    static final TornadoBackend INSTANCE = new TornadoBackend();

    private TornadoTestBackend() {}
}
