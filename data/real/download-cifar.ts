// CIFAR-10/100: the official binary archives, downloaded once, checked against their recorded
// size and sha256, and unpacked into the data folder.
import { downloadAndUnpack, type ArchiveSpec } from './download-archive.ts';
import type { CifarVariant } from './cifar-binary.ts';

/** The official archives; sizes and sha256 as recorded by TensorFlow Datasets' url_checksums. */
export const CIFAR_ARCHIVES: Record<CifarVariant, ArchiveSpec> = {
  cifar10: {
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    bytes: 170052171,
    sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
    folder: 'cifar-10-batches-bin',
  },
  cifar100: {
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
    bytes: 168513733,
    sha256: '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec',
    folder: 'cifar-100-binary',
  },
};

/** Downloads (once) and unpacks the official CIFAR binary archive into dataDir. */
export async function downloadCifar(variant: CifarVariant, dataDir: string, log?: (line: string) => void): Promise<string> {
  return downloadAndUnpack(CIFAR_ARCHIVES[variant], dataDir, log);
}
