// GraphiQL for staking-gateway: queries and mutations over HTTP POST, subscriptions over
// graphql-ws (the graphql-transport-ws protocol), both authenticated with the
// Authorization header of the headers tab. The config comes from the page (JSON).
// A document with @defer or @stream also goes over the WebSocket: each payload is a
// `next` message, which GraphiQL merges into the result as it arrives.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var httpUrl = window.location.href.split(/[?#]/)[0];
  var wsUrl = (function () {
    var url = new URL(config.subscriptionsUrl, window.location.href);
    if (url.protocol === "http:") url.protocol = "ws:";
    if (url.protocol === "https:") url.protocol = "wss:";
    url.hash = "";
    return url.toString();
  })();

  function headerValue(headers, name) {
    var wanted = name.toLowerCase();
    for (var key in headers) {
      if (key.toLowerCase() === wanted) return headers[key];
    }
    return undefined;
  }

  // One graphql-ws client per Authorization value: changing the key in the headers tab
  // opens a new connection whose connection_init carries the new key.
  var wsClients = new Map();
  function wsClient(authorization) {
    var cacheKey = authorization || "";
    var client = wsClients.get(cacheKey);
    if (!client) {
      client = graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        retryAttempts: 2,
        connectionParams: authorization ? { Authorization: authorization } : {},
      });
      wsClients.set(cacheKey, client);
    }
    return client;
  }

  function isSubscription(documentAST, operationName) {
    if (!documentAST || !documentAST.definitions) return false;
    var operations = documentAST.definitions.filter(function (d) {
      return d.kind === "OperationDefinition";
    });
    var chosen = operations.find(function (d) {
      return operationName ? d.name && d.name.value === operationName : true;
    });
    return Boolean(chosen && chosen.operation === "subscription");
  }

  function isIncremental(query) {
    return /@\s*(defer|stream)\b/.test(query || "");
  }

  function describeError(error) {
    if (Array.isArray(error)) return { errors: error };
    if (error && typeof error.code === "number") {
      // A CloseEvent: 4403 means the key in the headers tab was refused.
      var reason = error.reason || (error.code === 4403 ? "Forbidden" : "");
      return {
        errors: [{ message: "WebSocket closed (" + error.code + ") " + reason }],
      };
    }
    return { errors: [{ message: String((error && error.message) || error) }] };
  }

  function subscribe(params, headers) {
    var client = wsClient(headerValue(headers, "Authorization"));
    return {
      subscribe: function (sink) {
        var dispose = client.subscribe(params, {
          next: function (value) { sink.next(value); },
          error: function (error) {
            sink.next(describeError(error));
            sink.complete();
          },
          complete: function () { sink.complete(); },
        });
        return { unsubscribe: dispose };
      },
    };
  }

  async function post(params, headers) {
    var response = await fetch(httpUrl, {
      method: "POST",
      headers: Object.assign(
        {
          "Content-Type": "application/json",
          Accept: "application/graphql-response+json, application/json",
        },
        headers
      ),
      body: JSON.stringify(params),
    });
    var text = await response.text();
    try {
      return JSON.parse(text);
    } catch (_) {
      return { errors: [{ message: "HTTP " + response.status + ": " + text }] };
    }
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (
      isSubscription(options && options.documentAST, params.operationName) ||
      isIncremental(params.query)
    ) {
      return subscribe(params, headers);
    }
    return post(params, headers);
  }

  // The starter's commands name this very gateway.
  var starter = config.query.split("<gateway>").join(window.location.origin);

  // GraphiQL 3 takes the first visit's variables from the `variables` prop, not from
  // defaultTabs; on later visits they come from its storage, and passing the prop would
  // add a tab.
  var firstVisit = window.localStorage.getItem("graphiql:tabState") === null;

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: [{ query: starter, variables: config.variables }],
      variables: firstVisit ? config.variables : undefined,
      // Headers are not stored between visits, so every tab starts from these.
      defaultHeaders: config.headers,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();
