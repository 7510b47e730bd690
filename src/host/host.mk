# src/host: the knowledge base is embedded with .incbin, so its object depends on the data file.
$(BUILD)/src/host/cvedata.o: data/escape-cves.txt
