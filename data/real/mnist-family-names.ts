// The MNIST-family datasets a suite can name (the loader, which needs the data packages, is mnist-family.ts).
export const MNIST_FAMILY = ['mnist', 'fashion-mnist'] as const;
export type MnistFamilyName = (typeof MNIST_FAMILY)[number];
