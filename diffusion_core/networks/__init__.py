"""Networks (layer 4): the EDM-preconditioned UNet (`unet`), the scale-space Flexi-UNet (`flexi_unet`), the MNIST
classifier behind the digit metrics (`classifier`) and the one hash-checked safetensors reader/writer (`weights`)."""
