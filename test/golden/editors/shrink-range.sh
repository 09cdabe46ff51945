#!/bin/sh
# net-edit editor: moves the end of the first DHCP range from .254 to .200.
sed -i "s/end='\([0-9.]*\)\.254'/end='\1.200'/" "$1"
