/*
 * The IntelLedger nodes in Node-RED's editor: their registration, with the fields they all
 * have, and their edit forms. Each node's page lists its fields as rows; this file says once
 * how a row looks, so the nodes' forms stay alike. Node-RED loads it (from this package's
 * resources/ folder) before the scripts of a page that names it.
 */
/* global RED -- Node-RED's editor API, on the page before this file runs */
(function () {
  const CHANNELS = ["temperature", "humidity", "vibration", "analog"];

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function inputId(field, prefix) {
    return `${prefix}-${field}`;
  }

  /** A text input, or a select when the row has options ([value, label] pairs). */
  function control(row, prefix) {
    const id = inputId(row.field, prefix);
    const style = row.width ? ` style="width: ${row.width}"` : "";
    if (row.options) {
      const options = row.options
        .map(([value, label]) => `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`)
        .join("");
      return `<select id="${id}"${style}>${options}</select>`;
    }
    const placeholder = row.placeholder ? ` placeholder="${escapeHtml(row.placeholder)}"` : "";
    return `<input type="text" id="${id}"${style}${placeholder} />`;
  }

  /** One form row: a labelled control with optional text before and after it, and an optional second labelled control. */
  function formRow(row, prefix) {
    const id = inputId(row.field, prefix);
    const className = row.className ? `form-row ${row.className}` : "form-row";
    if (row.checkbox) {
      return (
        `<div class="${className}"><label for="${id}">&nbsp;</label>` +
        `<input type="checkbox" id="${id}" style="display: inline-block; width: auto; vertical-align: top" />` +
        `<label for="${id}" style="width: auto">${escapeHtml(row.checkbox)}</label></div>`
      );
    }
    const before = row.before ? `${escapeHtml(row.before)} ` : "";
    const after = row.after ? ` ${escapeHtml(row.after)}` : "";
    const inline = row.inline
      ? ` <label for="${inputId(row.inline.field, prefix)}" style="width: auto">${escapeHtml(row.inline.label)}</label> ` +
        control(row.inline, prefix)
      : "";
    return (
      `<div class="${className}"><label for="${id}"><i class="fa fa-${row.icon}"></i> ${escapeHtml(row.label)}</label>` +
      `${before}${control(row, prefix)}${after}${inline}</div>`
    );
  }

  /** Rows several nodes share. */
  const rows = {
    gateway: { field: "gateway", icon: "server", label: "Gateway" },
    name: { field: "name", icon: "tag", label: "Name" },
    devices: { field: "devices", icon: "microchip", label: "Devices", placeholder: "all devices (or: press-01, line-2-*)" },
    /** The channel filter: any channel, or one of the four. */
    channelFilter: {
      field: "channel",
      icon: "sliders",
      label: "Channel",
      options: [["any", "any"], ...CHANNELS.map((channel) => [channel, channel])],
    },
    channels: CHANNELS.map((channel) => [channel, channel]),
  };

  /**
   * Declares the edit form of node `type`: Node-RED reads a node's form from its template
   * element when the edit dialog opens. Config nodes' fields take the prefix
   * "node-config-input".
   */
  function form(type, formRows, prefix = "node-input") {
    const template = document.createElement("script");
    template.type = "text/html";
    template.dataset.templateName = type;
    template.textContent = formRows.map((row) => formRow(row, prefix)).join("\n");
    document.body.appendChild(template);
  }

  /**
   * Registers node `type` in the palette's IntelLedger category, with the fields every
   * IntelLedger node has (its name and the gateway it works with) ahead of its own defaults.
   */
  function node(type, definition) {
    RED.nodes.registerType(type, {
      category: "IntelLedger",
      ...definition,
      defaults: {
        name: { value: "" },
        gateway: { value: "", type: "intelledger-gateway", required: true },
        ...definition.defaults,
      },
    });
  }

  window.IntelLedgerEditor = { form, node, rows };
})();
