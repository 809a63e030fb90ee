"""Data files shipped inside the package (MNIST as a compressed uint8 array) and the scripts that build them."""
