#!/bin/sh
# net-edit editor: breaks the XML (mismatched end tag for <name>).
sed -i 's/<\/name>/<\/nam>/' "$1"
