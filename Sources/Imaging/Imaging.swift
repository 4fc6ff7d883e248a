// Imaging: image decode/encode, resize, augmentation, colormaps.
