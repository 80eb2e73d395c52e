"""JSON <-> XML: the converter, SOAP envelopes, WS-Security, attachments; used by build and runtime alike."""
