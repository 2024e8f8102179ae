// Whether the test suites that need the native engine run: always, unless MNIST_LAB_SKIP_NATIVE=1 says this machine
// has no oneDNN (then a missing or broken addon is a failing test, never a silent skip).
export const SKIP_NATIVE = process.env.MNIST_LAB_SKIP_NATIVE === '1';
