// The catalogue of datasets mnist-lab knows: file names, SHA-256 of the decompressed files, mirrors, class names.
import type { DatasetName } from './types.js';

/** One of the four IDX files of a dataset. */
export interface DatasetFile {
  /** File name without `.gz`; mirrors serve `<name>.gz`, a data folder may hold either. */
  name: string;
  /** SHA-256 of the decompressed bytes (gzip streams differ between compressors, the data does not). */
  sha256: string;
}

export type DatasetFileRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

export interface DatasetInfo {
  name: DatasetName;
  title: string;
  files: Record<DatasetFileRole, DatasetFile>;
  /** Base URLs tried in order by `mnist-lab data fetch`; `<base><name>.gz` is a file. */
  mirrors: readonly string[];
  /** Class names by label. */
  classNames: readonly string[];
  /** Folders where system packages install the files (looked at last). */
  systemDirs: readonly string[];
}

export const FILE_ROLES: readonly DatasetFileRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

export const DATASETS: Record<DatasetName, DatasetInfo> = {
  mnist: {
    name: 'mnist',
    title: 'MNIST handwritten digits',
    // Checksums: spec §7 (the canonical files).
    files: {
      trainImages: { name: 'train-images-idx3-ubyte', sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db' },
      trainLabels: { name: 'train-labels-idx1-ubyte', sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5' },
      testImages: { name: 't10k-images-idx3-ubyte', sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7' },
      testLabels: { name: 't10k-labels-idx1-ubyte', sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' },
    },
    mirrors: [
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'http://yann.lecun.com/exdb/mnist/',
    ],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    systemDirs: [],
  },
  fashion: {
    name: 'fashion',
    title: 'Fashion-MNIST (Zalando article images)',
    // Checksums: computed from Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1, the upstream files.
    files: {
      trainImages: { name: 'train-images-idx3-ubyte', sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888' },
      trainLabels: { name: 'train-labels-idx1-ubyte', sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9' },
      testImages: { name: 't10k-images-idx3-ubyte', sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b' },
      testLabels: { name: 't10k-labels-idx1-ubyte', sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34' },
    },
    mirrors: [
      'https://storage.googleapis.com/tensorflow/tf-keras-datasets/',
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    ],
    // Label table of the upstream README (shipped in /usr/share/doc/dataset-fashion-mnist): 7 is Sneaker.
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    systemDirs: ['/usr/share/datasets/fashion-mnist'],
  },
};

export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];
